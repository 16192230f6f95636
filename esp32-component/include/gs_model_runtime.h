/*
 * Model runtime: runs the model store's active model on the stream.
 *
 * After a model is committed and activated (or at boot), gs_model_runtime_reload() reads the
 * active slot's payload (BundlePayload), parses its manifest (window, stride, channels,
 * normalisation, threshold) and loads it into the backend (TFLite Micro on the device, the
 * float reference on the host). A model that does not load is reported to the store, which
 * rolls back to the previous one; the runtime then loads that one.
 *
 * While streaming, every kept sample goes through gs_model_runtime_add(): windows every
 * stride -> normalisation -> backend -> per-channel MSE -> InferenceResult, and hysteresis ->
 * AnomalyEvent (gs_scoring.h). Comms task only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h"
#include "gs_bundle.h"
#include "gs_model_backend.h"
#include "gs_model_store.h"
#include "gs_scoring.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_model_runtime *gs_model_runtime_handle_t;

typedef struct {
    gs_model_store_handle_t store;
    gs_model_backend_t backend;
    /**
     * Where the active payload is read to when the storage backend cannot map it (file
     * storage); must hold the largest model. Parts are used in place from here.
     */
    uint8_t *payload_buf;
    size_t payload_cap;
    gs_clock_t clock;          /**< optional: times the backend for inference_us */
    uint32_t enter_windows;    /**< anomalous windows in a row that open an event (>= 1) */
    uint32_t exit_windows;     /**< calm windows in a row that close it (>= 1) */
    float exit_ratio;          /**< calm means score < threshold x exit_ratio (0 < r <= 1) */
} gs_model_runtime_config_t;

/** Hysteresis of the Java VirtualDevice: 3 windows in, 5 out, at the threshold. */
#define GS_MODEL_RUNTIME_CONFIG_DEFAULT() \
    { .enter_windows = GS_EVENT_ENTER_WINDOWS, .exit_windows = GS_EVENT_EXIT_WINDOWS, .exit_ratio = GS_EVENT_EXIT_RATIO }

gs_err_t gs_model_runtime_create(const gs_model_runtime_config_t *config,
                                 gs_model_runtime_handle_t *out);
void gs_model_runtime_destroy(gs_model_runtime_handle_t rt);

/**
 * Load the store's active model (unloading the current one). GS_ERR_NO_MODEL when no slot is
 * active. When the active model fails to load, the store rolls back, the previous model is
 * loaded if there is one, and the first failure is returned (GS_ERR_MODEL_LOAD, GS_ERR_NO_MEM,
 * GS_ERR_UNSUPPORTED ...).
 */
gs_err_t gs_model_runtime_reload(gs_model_runtime_handle_t rt);

/** A model is loaded. */
bool gs_model_runtime_ready(gs_model_runtime_handle_t rt);

/** Manifest of the loaded model, or NULL. */
const gs_manifest_t *gs_model_runtime_manifest(gs_model_runtime_handle_t rt);

/**
 * Start scoring a stream whose channels are the axes of `axes_mask` (X=1, Y=2, Z=4, in that
 * order) with `scale` physical units (dps) per LSB. GS_ERR_NO_MODEL without a model,
 * GS_ERR_INVALID_ARG when the model's channel count differs from the stream's.
 */
gs_err_t gs_model_runtime_start(gs_model_runtime_handle_t rt, uint32_t axes_mask, float scale);
void gs_model_runtime_stop(gs_model_runtime_handle_t rt);
bool gs_model_runtime_scoring(gs_model_runtime_handle_t rt);

/** The loaded model as a gs_model_t (for calibration); GS_ERR_NO_MODEL without one. */
gs_err_t gs_model_runtime_model(gs_model_runtime_handle_t rt, gs_model_t *out);

/**
 * Replace the loaded model's normalisation (per model channel, dps) and threshold, e.g. with
 * a calibration result, until the next reload. Takes effect at the next
 * gs_model_runtime_start(). GS_ERR_INVALID_ARG for a channel count other than the model's,
 * std <= 0 or a threshold that is negative or not finite.
 */
gs_err_t gs_model_runtime_set_normalisation(gs_model_runtime_handle_t rt, const float *mean,
                                            const float *std, uint32_t channels, float threshold);

/** Add one sample of the stream (see gs_scorer_add). */
gs_err_t gs_model_runtime_add(gs_model_runtime_handle_t rt, const gs_sample_t *sample,
                              gs_scoring_output_t *out);

#ifdef __cplusplus
}
#endif
