/*
 * Lock-free single-producer / single-consumer ring of samples (sensor task -> comms task).
 *
 * Exactly one thread may push and exactly one (other) thread may pop; no lock, no malloc,
 * no ISR-unsafe call, so the producer may also run from a high-priority task. When the ring
 * is full the NEW sample is dropped and counted: the producer never touches the consumer's
 * index, which is what keeps it lock-free.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_sample.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_ring *gs_ring_handle_t;

typedef struct {
    /** Capacity in samples: a power of two, 2 .. GS_RING_MAX_CAPACITY (Kconfig
     *  GS_RING_CAPACITY on the device). */
    size_t capacity;
} gs_ring_config_t;

/** Take a ring from the static pool. GS_ERR_INVALID_ARG (bad capacity), GS_ERR_NO_MEM. */
gs_err_t gs_ring_create(const gs_ring_config_t *config, gs_ring_handle_t *out);
void gs_ring_destroy(gs_ring_handle_t ring);

/** Producer: GS_OK, or GS_ERR_FULL (sample dropped and counted). */
gs_err_t gs_ring_push(gs_ring_handle_t ring, const gs_sample_t *sample);

/** Consumer: copy out up to `max` samples, oldest first; returns how many. */
size_t gs_ring_pop(gs_ring_handle_t ring, gs_sample_t *out, size_t max);

/** Consumer: discard everything queued (e.g. at StartStreaming). */
void gs_ring_clear(gs_ring_handle_t ring);

/** Samples queued now (a snapshot; either side may call it). */
size_t gs_ring_depth(gs_ring_handle_t ring);
size_t gs_ring_capacity(gs_ring_handle_t ring);

/** Samples dropped since create. 32-bit so it stays lock-free on 32-bit cores: it wraps, so
 *  readers keep their own 64-bit total from differences (unsigned subtraction). */
uint32_t gs_ring_dropped(gs_ring_handle_t ring);

#ifdef __cplusplus
}
#endif
