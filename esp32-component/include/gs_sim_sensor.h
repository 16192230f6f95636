/*
 * Simulated gyroscope on a rotating machine: a fundamental at the rotation rate, two
 * harmonics and Gaussian noise, fully determined by a seed. Optionally an imbalance fault
 * (the 1x component grows) from a given time on, so anomaly pipelines have something to find.
 * Used by gs_virtual_device and the host tests; it fills the same gs_sensor_ops_t as the
 * ISM330BX driver.
 */
#pragma once

#include <stdint.h>
#include "gs_err.h"
#include "gs_sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t seed;            /**< noise seed; the same seed and session give the same samples */
    uint64_t session;         /**< noise index of the first stream; each start takes the next one, so every
                                   stream has new noise, as a real sensor's has (Java sim: `session`) */
    float rotation_hz;        /**< fundamental, e.g. 24.5 (1470 rpm) */
    float amplitude_dps;      /**< amplitude of the 1x component on X */
    float harmonic2;          /**< 2x amplitude relative to 1x */
    float harmonic3;          /**< 3x amplitude relative to 1x */
    float noise_dps;          /**< standard deviation of the noise */
    uint64_t fault_after_us;  /**< 0 = healthy forever; else time after start of the fault */
    float fault_gain;         /**< 1x amplitude factor once the fault is present */
    gs_clock_t clock;         /**< where "now" comes from (real or simulated time) */
} gs_sim_sensor_config_t;

#define GS_SIM_SENSOR_CONFIG_DEFAULT() {                                       \
        .seed = 1, .rotation_hz = 24.5f, .amplitude_dps = 20.0f,               \
        .harmonic2 = 0.35f, .harmonic3 = 0.12f, .noise_dps = 0.8f,             \
        .fault_after_us = 0, .fault_gain = 3.0f }

/** Create a simulated sensor (static pool of 2) and bind it to *out. */
gs_err_t gs_sim_sensor_create(const gs_sim_sensor_config_t *config, gs_sensor_t *out);
void gs_sim_sensor_destroy(gs_sensor_t *sensor);

/** Sensitivity of the ISM330BX-like conversion, mdps per LSB, for a full scale in dps. */
float gs_sim_sensor_mdps_per_lsb(uint32_t full_scale_dps);

#ifdef __cplusplus
}
#endif
