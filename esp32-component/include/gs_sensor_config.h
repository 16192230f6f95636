/*
 * The sensor configuration of the device contract as plain data, and its checks as pure functions: no I/O, no
 * device state, so the firmware, the host tools and the tests share one definition of what a Configure request
 * may ask for. Limits and messages come from the contract table (gs_contract.h, generated from
 * proto/gyrosentinel/v1/device_contract.txt, the same table the Java SDK generates DeviceLimits from).
 */
#pragma once

#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    float odr_hz;             /**< requested (in a request) or actual (in force) output data rate */
    uint32_t full_scale_dps;  /**< one of GS_FULL_SCALE_DPS */
    uint32_t axes_mask;       /**< X=1, Y=2, Z=4 */
    uint32_t decimation;      /**< keep 1 of every N samples, 1 .. GS_DECIMATION_MAX */
    uint32_t batch_size;      /**< samples per SampleBatch */
} gs_sensor_config_t;

#define GS_SENSOR_CONFIG_DEFAULT() {                                                          \
        .odr_hz = GS_DEFAULT_ODR_HZ, .full_scale_dps = GS_DEFAULT_FULL_SCALE_DPS,             \
        .axes_mask = GS_DEFAULT_AXES_MASK, .decimation = GS_DEFAULT_DECIMATION,               \
        .batch_size = GS_DEFAULT_BATCH_SIZE }

/** Why a configuration was refused: the request field ("configure.odr_hz") and the contract's message. */
typedef struct {
    const char *field;
    char message[96];
} gs_config_error_t;

/**
 * Merges a Configure request into the configuration in force (a zero field keeps the current value) and checks
 * the result against the contract. On GS_OK *next holds it (odr_hz still the requested rate: the sensor snaps it);
 * on GS_ERR_INVALID_ARG *why names the first field at fault. Nothing is changed on failure.
 */
gs_err_t gs_sensor_config_merge(const gs_sensor_config_t *current, const gs_sensor_config_t *request,
                                gs_sensor_config_t *next, gs_config_error_t *why);

/** Checks a complete configuration (every field set); *why may be NULL. */
gs_err_t gs_sensor_config_check(const gs_sensor_config_t *config, gs_config_error_t *why);

/** The contract's rate (GS_ODR_SUPPORTED_HZ) nearest to odr_hz; ties go to the lower rate. */
float gs_sensor_config_nearest_odr(float odr_hz);

/** SampleBatch.sample_period_ns for a sensor rate and a decimation: round(1e9 / odr) x decimation. */
uint64_t gs_sensor_config_period_ns(float odr_hz, uint32_t decimation);

/** Most samples per batch for an axes mask (GS_BATCH_DATA_MAX_BYTES / 2 bytes / channels). */
uint32_t gs_sensor_config_max_batch(uint32_t axes_mask);

#ifdef __cplusplus
}
#endif
