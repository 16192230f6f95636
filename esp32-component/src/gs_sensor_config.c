#include <math.h>
#include <stdio.h>
#include "gs_sensor_config.h"

static uint32_t channels_of(uint32_t mask)
{
    return (mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u);
}

static gs_err_t refuse(gs_config_error_t *why, const char *field, const char *message)
{
    if (why) {
        why->field = field;
        snprintf(why->message, sizeof(why->message), "%s", message);
    }
    return GS_ERR_INVALID_ARG;
}

float gs_sensor_config_nearest_odr(float odr_hz)
{
    static const float rates[] = GS_ODR_SUPPORTED_HZ;
    float best = rates[0];
    for (size_t i = 1; i < GS_ODR_SUPPORTED_HZ_COUNT; i++) {
        if (fabsf(odr_hz - rates[i]) < fabsf(odr_hz - best)) {
            best = rates[i];
        }
    }
    return best;
}

uint64_t gs_sensor_config_period_ns(float odr_hz, uint32_t decimation)
{
    return (uint64_t)llround(1e9 / (double)odr_hz) * decimation;
}

uint32_t gs_sensor_config_max_batch(uint32_t axes_mask)
{
    uint32_t ch = channels_of(axes_mask);
    return ch ? GS_BATCH_DATA_MAX_BYTES / (2u * ch) : 0u;
}

gs_err_t gs_sensor_config_check(const gs_sensor_config_t *c, gs_config_error_t *why)
{
    if (!c) {
        return GS_ERR_INVALID_ARG;
    }
    if (!isfinite(c->odr_hz) || c->odr_hz < GS_ODR_MIN_HZ || c->odr_hz > GS_ODR_MAX_HZ) {
        return refuse(why, "configure.odr_hz", GS_MSG_ODR_RANGE);
    }
    static const uint32_t fs[] = GS_FULL_SCALE_DPS;
    size_t i = 0;
    while (i < GS_FULL_SCALE_DPS_COUNT && fs[i] != c->full_scale_dps) {
        i++;
    }
    if (i == GS_FULL_SCALE_DPS_COUNT) {
        return refuse(why, "configure.full_scale_dps", GS_MSG_FULL_SCALE);
    }
    if (c->axes_mask == 0 || c->axes_mask > GS_AXES_MASK_MAX) {
        return refuse(why, "configure.axes_mask", GS_MSG_AXES_MASK);
    }
    if (c->decimation < 1 || c->decimation > GS_DECIMATION_MAX) {
        return refuse(why, "configure.decimation", GS_MSG_DECIMATION_RANGE);
    }
    /* sample_period_ns is a uint32 on the wire: judged at the rate the sensor will run at. */
    float rate = gs_sensor_config_nearest_odr(c->odr_hz);
    if (gs_sensor_config_period_ns(rate, c->decimation) > UINT32_MAX) {
        char msg[96];
        snprintf(msg, sizeof(msg), GS_MSG_DECIMATION_PERIOD, (unsigned)c->decimation, (double)rate);
        return refuse(why, "configure.decimation", msg);
    }
    uint32_t max_batch = gs_sensor_config_max_batch(c->axes_mask);
    if (c->batch_size < 1 || c->batch_size > max_batch) {
        char msg[96];
        snprintf(msg, sizeof(msg), GS_MSG_BATCH_RANGE, (unsigned)max_batch, (unsigned)channels_of(c->axes_mask));
        return refuse(why, "configure.batch_size", msg);
    }
    return GS_OK;
}

gs_err_t gs_sensor_config_merge(const gs_sensor_config_t *current, const gs_sensor_config_t *request,
                                gs_sensor_config_t *next, gs_config_error_t *why)
{
    if (!current || !request || !next) {
        return GS_ERR_INVALID_ARG;
    }
    gs_sensor_config_t n = *current;
    if (request->odr_hz != 0.0f) {
        n.odr_hz = request->odr_hz;
    }
    if (request->full_scale_dps != 0) {
        n.full_scale_dps = request->full_scale_dps;
    }
    if (request->axes_mask != 0) {
        n.axes_mask = request->axes_mask;
    }
    if (request->decimation != 0) {
        n.decimation = request->decimation;
    }
    if (request->batch_size != 0) {
        n.batch_size = request->batch_size;
    }
    gs_err_t err = gs_sensor_config_check(&n, why);
    if (err == GS_OK) {
        *next = n;
    }
    return err;
}
