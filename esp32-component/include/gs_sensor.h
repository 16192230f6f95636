/*
 * Sensor and clock interfaces: tables of function pointers that each backend fills (the
 * ISM330BX FIFO driver on the ESP32, the simulated gyro on the host), so the protocol
 * handler never knows which one it drives.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_sample.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Settings the device asks a sensor to apply (already range-checked by gs_device). */
typedef struct {
    float odr_hz;             /**< requested output data rate */
    uint32_t full_scale_dps;  /**< 125 ... 4000 */
} gs_sensor_settings_t;

typedef struct {
    /** Short model name reported in DeviceInfo.sensor_model, e.g. "ISM330BX". */
    const char *model;
    /**
     * Apply settings while stopped. A sensor with discrete rates picks the nearest one and
     * returns it in *actual_odr_hz: SampleBatch.sample_period_ns then reports the real rate.
     * Return GS_ERR_INVALID_ARG for settings the hardware cannot honour, GS_ERR_SENSOR for
     * bus failures.
     */
    gs_err_t (*configure)(void *ctx, const gs_sensor_settings_t *settings, float *actual_odr_hz);
    /** Start producing samples (empty the FIFO first). */
    gs_err_t (*start)(void *ctx);
    gs_err_t (*stop)(void *ctx);
    /**
     * Non-blocking: copy up to `max` samples produced since the last call, oldest first,
     * each with its sensor-clock timestamp; *n receives the count (0 is fine).
     */
    gs_err_t (*read)(void *ctx, gs_sample_t *out, size_t max, size_t *n);
} gs_sensor_ops_t;

/** A bound sensor: the table plus its backend state. */
typedef struct {
    const gs_sensor_ops_t *ops;
    void *ctx;
} gs_sensor_t;

typedef struct {
    /** Monotonic device time, µs since boot (the sensor clock on the device). */
    uint64_t (*now_us)(void *ctx);
    void *ctx;
} gs_clock_t;

#ifdef __cplusplus
}
#endif
