/*
 * The sensor and clock the fuzz targets give their devices: a few samples per read so the streaming paths run, a
 * clock that advances by `GS_FUZZ_CLOCK_STEP` µs per call. Header-only, one copy per fuzz binary.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_sensor.h"

#ifndef GS_FUZZ_CLOCK_STEP
#define GS_FUZZ_CLOCK_STEP 137u
#endif

static uint64_t s_fuzz_now;

static uint64_t gs_fuzz_now(void *ctx)
{
    (void)ctx;
    return s_fuzz_now += GS_FUZZ_CLOCK_STEP;
}

static gs_err_t gs_fuzz_configure(void *ctx, const gs_sensor_settings_t *s, float *actual)
{
    (void)ctx;
    *actual = s->odr_hz;
    return GS_OK;
}

static gs_err_t gs_fuzz_ok(void *ctx)
{
    (void)ctx;
    return GS_OK;
}

static gs_err_t gs_fuzz_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    (void)ctx;
    *n = max < 4 ? max : 4;
    for (size_t i = 0; i < *n; i++) {
        out[i].timestamp_us = s_fuzz_now + i * 260;
        out[i].xyz[0] = (int16_t)(i * 31);
        out[i].xyz[1] = (int16_t)(-(int)i * 17);
        out[i].xyz[2] = (int16_t)i;
    }
    return GS_OK;
}

static const gs_sensor_ops_t gs_fuzz_sensor_ops = {
    .model = "FUZZ", .configure = gs_fuzz_configure, .start = gs_fuzz_ok, .stop = gs_fuzz_ok, .read = gs_fuzz_read,
};
