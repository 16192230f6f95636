/*
 * Model backends: what turns a normalised window into its reconstruction.
 *
 * A backend is a table of functions filled by each implementation (the C twin of the Java
 * InferenceEngineProvider): TensorFlow Lite Micro on the ESP32 (src/port/esp32/gs_model_tflm.cc,
 * part "model.tflite"), and a plain-C float reference of sdk-training/MODEL.md on the host
 * (part "reference.f32"). The model runtime (gs_model_runtime.h) picks the active slot's
 * bundle, parses its manifest and calls load(); run() is called once per window from the
 * comms task; unload() before another model is loaded.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_bundle.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name;  /**< "reference", "tflm" */
    /**
     * Prepare the model of `bundle` (slices stay valid until unload()). GS_ERR_NO_MODEL when
     * the part this backend needs is missing, GS_ERR_MODEL_LOAD when it is malformed or does
     * not match the manifest, GS_ERR_NO_MEM when it does not fit the static arena.
     */
    gs_err_t (*load)(void *ctx, const gs_bundle_t *bundle, const gs_manifest_t *manifest);
    /**
     * Reconstruct one window. `in`/`out`: window x channels floats, time-major
     * (x0 y0 z0 x1 ...), normalised units.
     */
    gs_err_t (*run)(void *ctx, const float *in, float *out, uint32_t window, uint32_t channels);
    void (*unload)(void *ctx);
} gs_model_backend_ops_t;

typedef struct {
    const gs_model_backend_ops_t *ops;
    void *ctx;
} gs_model_backend_t;

/* ---------------------------------------------------------------- reference backend */

/** Bundle part read by the reference backend. */
#define GS_REFERENCE_PART "reference.f32"
/** Limits of the reference backend's static buffers. */
#define GS_REFERENCE_MAX_LAYERS 8u
#define GS_REFERENCE_MAX_UNITS 128u
#define GS_REFERENCE_MAX_PARAMS 65536u

/**
 * The float reference of the LSTM autoencoder (sdk-training/MODEL.md), reading the part
 * "reference.f32" written by io.gyrosentinel.training.packaging.ReferenceWeights:
 *
 *     "GSRF"  u32 version (2)  u32 window  u32 channels  u32 samples_per_step
 *     u32 encoder_layers  u32 decoder_layers
 *     u32 units[encoder_layers + decoder_layers]  u32 float_count
 *     float32 params[float_count]      (all little endian)
 *
 * Version 1 has no samples_per_step field (it is 1) and is read too. The LSTMs run over
 * window/K frames of K*F values (K = samples_per_step; the same row-major floats as
 * [window][F]). params are, for each LSTM layer enc0.., dec0..: kernel [in, 4U] (the first
 * layer's in = K*F), recurrent [U, 4U], bias [4U] (gates i, f, g, o), then
 * out.kernel [U_last, K*F], out.bias [K*F], row-major.
 * One instance (static storage); host and tests only — the device runs TFLite Micro.
 */
gs_err_t gs_model_reference_backend(gs_model_backend_t *out);

#ifdef __cplusplus
}
#endif
