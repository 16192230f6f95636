/*
 * Host harness around the TFLM backend: a bundle payload goes into a file-backed model store the way a
 * ModelBegin/ModelChunk/ModelCommit transfer puts it there (CRC per chunk, SHA-256, activation), and
 * gs_model_runtime_reload() loads it into the TFLM backend (src/gs_model_tflm.cc) exactly as on the
 * device. Shared by tools/gs_tflm_run (the packager's check, bench-c.sh) and the CTest conformance test.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_model_runtime.h"
#include "gs_model_tflm.h"

typedef struct gs_tflm_harness gs_tflm_harness_t;

/** Creates a store (in a fresh temp folder) and a runtime over the TFLM backend. */
gs_err_t gs_tflm_harness_create(gs_tflm_harness_t **out);
/** Destroys the runtime and store and removes the temp folder. */
void gs_tflm_harness_destroy(gs_tflm_harness_t *h);

/**
 * Transfers `payload` into the store (commit + activate) and reloads the runtime. On a load failure
 * the error is returned and gs_model_tflm_info() says why; GS_ERR_INVALID_ARG/other store errors when
 * the store refused the transfer.
 */
gs_err_t gs_tflm_harness_load(gs_tflm_harness_t *h, const uint8_t *payload, size_t len);

/** The loaded model's manifest, or NULL. */
const gs_manifest_t *gs_tflm_harness_manifest(gs_tflm_harness_t *h);

/** Runs one normalised window (window x channels floats) through the loaded backend. */
gs_err_t gs_tflm_harness_run(gs_tflm_harness_t *h, const float *in, float *out);

/**
 * The smallest tensor arena (16-byte steps) the loaded model loads in: AllocateTensors needs temporary
 * space beyond the final arena_used_bytes(). Probes the backend directly with the same bundle, then
 * loads it again with the whole arena. GS_ERR_NO_MODEL without a loaded model.
 */
gs_err_t gs_tflm_harness_min_arena(gs_tflm_harness_t *h, size_t *out);

/** The runtime (to score raw samples with gs_model_runtime_start/add). */
gs_model_runtime_handle_t gs_tflm_harness_runtime(gs_tflm_harness_t *h);
