/*
 * Builds SampleBatch envelopes from samples (comms task side, no malloc).
 *
 * A batch is a run of consecutive samples: it is closed when it holds batch_size samples,
 * or early when the next sample does not follow the previous one (a gap left by dropped
 * samples), so every batch's timestamp_us + k * sample_period_ns is the true time of its
 * k-th sample.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_sample.h"
#include "gs_envelope.h"
#include "gs_contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of 3-axis samples that fit one SampleBatch (options: data max_size). */
#define GS_BATCH_MAX_BYTES sizeof(((gyrosentinel_v1_SampleBatch *)0)->data.bytes)
/* The wire's SampleBatch.data capacity (gyrosentinel.options) is the device contract's. */
#ifndef __cplusplus
_Static_assert(GS_BATCH_MAX_BYTES == GS_BATCH_DATA_MAX_BYTES,
               "gyrosentinel.options SampleBatch.data max_size differs from device_contract.txt BATCH_DATA_MAX_BYTES");
#endif

typedef struct gs_batcher *gs_batcher_handle_t;

typedef struct {
    /** Samples per batch, 1 .. GS_BATCH_MAX_BYTES / (2 * channels). */
    uint32_t batch_size;
    /** Axis bits (1 = X, 2 = Y, 4 = Z), non-zero; enabled axes are sent in X, Y, Z order. */
    uint32_t axes_mask;
    /** Time between two samples fed to the batcher, ns (before decimation); > 0. */
    uint32_t input_period_ns;
    /** Keep one sample in `decimation` (>= 1). */
    uint32_t decimation;
} gs_batcher_config_t;

/** Check a configuration without creating anything (used to validate requests). */
gs_err_t gs_batcher_check_config(const gs_batcher_config_t *config);

gs_err_t gs_batcher_create(const gs_batcher_config_t *config, gs_batcher_handle_t *out);
void gs_batcher_destroy(gs_batcher_handle_t b);

/** New configuration; drops any partial batch and restarts the sequence at 0. */
gs_err_t gs_batcher_configure(gs_batcher_handle_t b, const gs_batcher_config_t *config);

/** Drop any partial batch and restart the sequence at 0 (StartStreaming). */
void gs_batcher_reset(gs_batcher_handle_t b);

/**
 * Add one sample. When that closes a batch, `env` receives a complete SampleBatch envelope
 * (protocol_version set, request_id 0) and *produced is true; `env` is untouched otherwise.
 */
gs_err_t gs_batcher_add(gs_batcher_handle_t b, const gs_sample_t *sample, gs_envelope_t *env,
                        bool *produced);

/** Close the partial batch, if any, into `env` (StopStreaming). GS_ERR_EMPTY if none. */
gs_err_t gs_batcher_flush(gs_batcher_handle_t b, gs_envelope_t *env);

/** Sequence number the next batch will carry. */
uint32_t gs_batcher_next_sequence(gs_batcher_handle_t b);

/** Samples kept (after decimation) since the last reset/configure. */
uint64_t gs_batcher_kept(gs_batcher_handle_t b);

/** Output sample period (input period x decimation), ns. */
uint32_t gs_batcher_sample_period_ns(gs_batcher_handle_t b);

#ifdef __cplusplus
}
#endif
