/*
 * On-device calibration (docs/protocol.md section 3.3): collect duration_ms of normal data,
 * compute the per-channel normalisation (mean, population std, dps) and the threshold from the
 * active model's window scores on that data normalised with the new values. No retraining.
 *
 * Two layers:
 *  - the math (Welford statistics, window score, quantile / k-sigma threshold), shared with
 *    the Java VirtualDevice and checked by both against proto/testdata/calibration/;
 *  - a collection session with static buffers (gs_calibration_t, embedded in the device):
 *    every sample counts towards mean/std, the first GS_CALIBRATION_MAX_SAMPLES are kept for
 *    scoring, at most GS_CALIBRATION_MAX_WINDOWS windows are scored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h" /* GS_CALIBRATION_MIN_MS, GS_CALIBRATION_MAX_MS */
#include "gs_sample.h"
#include "gs_scoring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes come from Kconfig on the device (CONFIG_GS_CALIBRATION_*), these serve the host. */
#ifndef GS_CALIBRATION_MAX_SAMPLES
#define GS_CALIBRATION_MAX_SAMPLES 4096u
#endif
#ifndef GS_CALIBRATION_MAX_WINDOWS
#define GS_CALIBRATION_MAX_WINDOWS 1024u
#endif


/* ---------------------------------------------------------------- math */

/** Welford's running mean and population variance, per channel (double accumulators). */
typedef struct {
    uint32_t channels;
    uint64_t n;
    double mean[GS_SCORING_MAX_CHANNELS];
    double m2[GS_SCORING_MAX_CHANNELS];
} gs_welford_t;

void gs_welford_init(gs_welford_t *w, uint32_t channels);
/** Adds one sample: `channels` values. */
void gs_welford_add(gs_welford_t *w, const float *values);
/** Mean and population std (sqrt(M2 / n)); zeros when empty. */
void gs_welford_result(const gs_welford_t *w, float *mean, float *std);

/**
 * Score of one window: normalise (x - mean[k]) / std[k] in float (as the streaming scorer),
 * reconstruct with `model`, mean squared error per channel, averaged over channels.
 * `window_dps`: w x channels physical values, time-major; `in`/`out`: scratch of the same size.
 */
gs_err_t gs_calibration_window_score(const float *window_dps, uint32_t w, uint32_t channels,
                                     const float *mean, const float *std, const gs_model_t *model,
                                     float *in, float *out, float *score);

/**
 * Threshold from window scores: the `quantile` (0 < q < 1) by linear interpolation between
 * closest ranks (numpy's default: h = (n-1) q, s[floor h] + (h - floor h)(s[floor h + 1] -
 * s[floor h]) on the sorted scores), or, when quantile == 0, mean + k_sigma x population std.
 * Sorts `scores` in place. GS_ERR_INVALID_ARG for n == 0 or arguments out of range.
 */
gs_err_t gs_calibration_threshold(float *scores, size_t n, float quantile, float k_sigma,
                                  float *out);

/* ---------------------------------------------------------------- session */

typedef struct {
    uint32_t axes_mask;     /**< channels = enabled axes, X, Y, Z order */
    float scale;            /**< dps per LSB */
    uint32_t decimation;    /**< keep one sensor sample in `decimation` (>= 1) */
    uint64_t target;        /**< kept samples to collect (>= 1) */
} gs_calibration_params_t;

typedef struct {
    float mean[GS_SCORING_MAX_CHANNELS];
    float std[GS_SCORING_MAX_CHANNELS];
    uint32_t channels;
    float threshold;
    uint32_t windows;
} gs_calibration_result_t;

/** One calibration run; plain static storage, no heap. Treat the fields as private. */
typedef struct {
    bool active;
    gs_calibration_params_t p;
    uint32_t channels;
    uint8_t axis[GS_SCORING_MAX_CHANNELS];
    uint32_t phase;                 /* decimation counter */
    uint64_t collected;
    uint32_t stored;
    gs_welford_t stats;
    int16_t raw[GS_CALIBRATION_MAX_SAMPLES * GS_SCORING_MAX_CHANNELS];
    float scores[GS_CALIBRATION_MAX_WINDOWS];
    float win[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS];
    float in[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS];
    float out[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS];
} gs_calibration_t;

/** Kept samples a duration means: round(duration_ms x odr_hz / decimation / 1000). */
uint64_t gs_calibration_samples_for(uint32_t duration_ms, float odr_hz, uint32_t decimation);

gs_err_t gs_calibration_begin(gs_calibration_t *c, const gs_calibration_params_t *params);
/** Adds one sensor sample (decimated here); true once `target` samples were kept. */
bool gs_calibration_add(gs_calibration_t *c, const gs_sample_t *sample);
bool gs_calibration_done(const gs_calibration_t *c);
/**
 * Computes the result: mean/std over every kept sample; windows of `window` samples every
 * `hop` over the stored ones, scored with `model` on data normalised with the new mean/std;
 * threshold per gs_calibration_threshold(). Ends the session. GS_ERR_INVALID_STATE when a
 * channel did not vary (std 0), GS_ERR_INVALID_ARG when no window fits, model errors as is.
 */
gs_err_t gs_calibration_finish(gs_calibration_t *c, const gs_model_t *model, uint32_t window,
                               uint32_t hop, float quantile, float k_sigma,
                               gs_calibration_result_t *out);
void gs_calibration_cancel(gs_calibration_t *c);

#ifdef __cplusplus
}
#endif
