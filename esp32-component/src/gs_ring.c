#include <stdatomic.h>
#include <string.h>
#include "gs_ring.h"
#include "gs_config.h"

struct gs_ring {
    uint8_t in_use;
    size_t mask;
    /* Free-running counters: head is written only by the producer, tail only by the
     * consumer; head - tail is the depth even across wrap-around. */
    atomic_size_t head;
    atomic_size_t tail;
    atomic_uint_least32_t dropped;
    gs_sample_t slots[GS_RING_MAX_CAPACITY];
};

static struct gs_ring s_rings[GS_MAX_RINGS];

gs_err_t gs_ring_create(const gs_ring_config_t *config, gs_ring_handle_t *out)
{
    if (!config || !out) {
        return GS_ERR_INVALID_ARG;
    }
    size_t cap = config->capacity;
    if (cap < 2 || cap > GS_RING_MAX_CAPACITY || (cap & (cap - 1)) != 0) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < GS_MAX_RINGS; i++) {
        struct gs_ring *r = &s_rings[i];
        if (!r->in_use) {
            r->in_use = 1;
            r->mask = cap - 1;
            atomic_init(&r->head, 0);
            atomic_init(&r->tail, 0);
            atomic_init(&r->dropped, 0);
            *out = r;
            return GS_OK;
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_ring_destroy(gs_ring_handle_t ring)
{
    if (ring) {
        ring->in_use = 0;
    }
}

gs_err_t gs_ring_push(gs_ring_handle_t r, const gs_sample_t *sample)
{
    if (!r || !sample) {
        return GS_ERR_INVALID_ARG;
    }
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    /* Acquire pairs with the consumer's release: the slot it freed is really free. */
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail > r->mask) {
        atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
        return GS_ERR_FULL;
    }
    r->slots[head & r->mask] = *sample;
    /* Release publishes the slot contents before the new head becomes visible. */
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return GS_OK;
}

size_t gs_ring_pop(gs_ring_handle_t r, gs_sample_t *out, size_t max)
{
    if (!r || !out) {
        return 0;
    }
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t n = head - tail;
    if (n > max) {
        n = max;
    }
    /* At most two contiguous pieces: up to the end of the slot array, then from its start. */
    size_t first = tail & r->mask;
    size_t piece = r->mask + 1 - first;
    if (piece > n) {
        piece = n;
    }
    memcpy(out, &r->slots[first], piece * sizeof(*out));
    memcpy(out + piece, &r->slots[0], (n - piece) * sizeof(*out));
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return n;
}

void gs_ring_clear(gs_ring_handle_t r)
{
    if (r) {
        size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        atomic_store_explicit(&r->tail, head, memory_order_release);
    }
}

size_t gs_ring_depth(gs_ring_handle_t r)
{
    if (!r) {
        return 0;
    }
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    return head - tail;
}

size_t gs_ring_capacity(gs_ring_handle_t r)
{
    return r ? r->mask + 1 : 0;
}

uint32_t gs_ring_dropped(gs_ring_handle_t r)
{
    return r ? (uint32_t)atomic_load_explicit(&r->dropped, memory_order_relaxed) : 0;
}
