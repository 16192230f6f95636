/*
 * Anomaly scoring: windows of samples -> per-channel normalisation -> model reconstruction
 * -> mean squared error -> threshold -> events with hysteresis.
 *
 * The model is behind a one-function interface (gs_model_t) so the scorer is tested on the
 * host with simple reference models, and runs TensorFlow Lite Micro on the device
 * (src/port/esp32/gs_model_tflm.cc).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_sample.h"
#include "gs_sensor.h"
#include "gs_envelope.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GS_SCORING_MAX_CHANNELS 3u
#define GS_SCORING_MAX_WINDOW 256u

typedef struct {
    /**
     * Reconstruct one normalised window. `in` and `out` hold window x channels floats,
     * time-major (x0 y0 z0 x1 ...). Must not keep pointers after returning.
     */
    gs_err_t (*reconstruct)(void *ctx, const float *in, float *out, uint32_t window,
                            uint32_t channels);
} gs_model_ops_t;

typedef struct {
    const gs_model_ops_t *ops;
    void *ctx;
    const char *model_id;   /**< reported in InferenceResult / AnomalyEvent */
    /**
     * What reconstruct() writes (gs_model_output_t in gs_bundle.h, the manifest's "output"):
     * 0 = the reconstruction (window x channels values, scored by their mean squared error);
     * 1 = the channel scores themselves (the first `channels` values of `out`; score = their mean).
     */
    uint32_t output;
    /** Subtract each window's per-channel mean after the normalisation, before the model
     *  (manifest "dc": "remove"; gs_scoring_remove_dc()). */
    bool remove_dc;
} gs_model_t;

typedef struct {
    uint32_t axes_mask;     /**< which sample axes are channels (X=1, Y=2, Z=4), in order */
    uint32_t window;        /**< samples per window, 2 .. GS_SCORING_MAX_WINDOW */
    uint32_t hop;           /**< samples between window starts, 1 .. window */
    float scale;            /**< raw LSB -> model units before normalisation (e.g. dps/LSB) */
    float mean[GS_SCORING_MAX_CHANNELS]; /**< per-channel mean, model units */
    float std[GS_SCORING_MAX_CHANNELS];  /**< per-channel standard deviation, > 0 */
    float threshold;        /**< a window is anomalous when score > threshold */
    float exit_ratio;       /**< an event ends below threshold x exit_ratio (0 < r <= 1) */
    uint32_t enter_windows; /**< consecutive anomalous windows that open an event (>= 1) */
    uint32_t exit_windows;  /**< consecutive calm windows that close it (>= 1) */
    gs_clock_t clock;       /**< optional: times the model for inference_us */
} gs_scoring_config_t;

typedef struct gs_scorer *gs_scorer_handle_t;

typedef struct {
    bool has_result;
    gyrosentinel_v1_InferenceResult result;
    bool has_event;
    gyrosentinel_v1_AnomalyEvent event;
} gs_scoring_output_t;

gs_err_t gs_scorer_create(const gs_scoring_config_t *config, const gs_model_t *model,
                          gs_scorer_handle_t *out);
void gs_scorer_destroy(gs_scorer_handle_t s);

/** Forget the partial window and any open event (e.g. at StartStreaming). */
void gs_scorer_reset(gs_scorer_handle_t s);

/**
 * Add one sample. When it completes a window, out->result is filled; when the window opens
 * or closes an event, out->event too. GS_ERR_* from the model is passed through.
 */
gs_err_t gs_scorer_add(gs_scorer_handle_t s, const gs_sample_t *sample,
                       gs_scoring_output_t *out);

/**
 * The score of one window: mean squared error between `in` and its reconstruction `out`
 * (w x channels, time-major) per channel, accumulated in double, and their mean over the
 * channels. Used by the scorer and by calibration (gs_calibration.h), so both score alike.
 */
void gs_scoring_mse(const float *in, const float *out, uint32_t w, uint32_t channels,
                    float *channel_error, float *score);

/** Subtracts each channel's mean over the window from `x` (w x channels, time-major), in place;
 *  the mean is accumulated in double, as the Java SDK does. */
void gs_scoring_remove_dc(float *x, uint32_t w, uint32_t channels);

/**
 * The score of one window as `model` defines it: gs_scoring_mse() of a reconstruction, or, for
 * a model whose output is the channel scores, those scores and their mean. Used by the scorer
 * and by calibration.
 */
void gs_scoring_window(const gs_model_t *model, const float *in, const float *out, uint32_t w,
                       uint32_t channels, float *channel_error, float *score);

#ifdef __cplusplus
}
#endif
