/* SPSC ring: order, wrap-around, overflow accounting, and a real two-thread run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "gs_ring.h"

static gs_sample_t sample(uint64_t i)
{
    gs_sample_t s = {.timestamp_us = i, .xyz = {(int16_t)i, (int16_t)(i * 3), (int16_t)-i}};
    return s;
}

static void rejects_bad_capacities(void **state)
{
    (void)state;
    gs_ring_handle_t r;
    gs_ring_config_t c = {.capacity = 100};
    assert_int_equal(gs_ring_create(&c, &r), GS_ERR_INVALID_ARG);
    c.capacity = 1;
    assert_int_equal(gs_ring_create(&c, &r), GS_ERR_INVALID_ARG);
    c.capacity = 1u << 20;
    assert_int_equal(gs_ring_create(&c, &r), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_ring_create(NULL, &r), GS_ERR_INVALID_ARG);
}

static void keeps_order_across_many_wrap_arounds(void **state)
{
    (void)state;
    gs_ring_handle_t r;
    gs_ring_config_t c = {.capacity = 8};
    assert_int_equal(gs_ring_create(&c, &r), GS_OK);
    uint64_t next_in = 0, next_out = 0;
    gs_sample_t out[5];
    for (int round = 0; round < 1000; round++) {
        for (int k = 0; k < 5; k++) {
            gs_sample_t s = sample(next_in++);
            assert_int_equal(gs_ring_push(r, &s), GS_OK);
        }
        assert_int_equal(gs_ring_depth(r), 5);
        size_t n = gs_ring_pop(r, out, 5);
        assert_int_equal(n, 5);
        for (size_t k = 0; k < n; k++) {
            gs_sample_t want = sample(next_out++);
            assert_memory_equal(&out[k], &want, sizeof(want));
        }
    }
    assert_int_equal(gs_ring_dropped(r), 0);
    gs_ring_destroy(r);
}

static void full_ring_drops_the_newest_and_counts_it(void **state)
{
    (void)state;
    gs_ring_handle_t r;
    gs_ring_config_t c = {.capacity = 4};
    assert_int_equal(gs_ring_create(&c, &r), GS_OK);
    for (uint64_t i = 0; i < 4; i++) {
        gs_sample_t s = sample(i);
        assert_int_equal(gs_ring_push(r, &s), GS_OK);
    }
    gs_sample_t s = sample(99);
    assert_int_equal(gs_ring_push(r, &s), GS_ERR_FULL);
    assert_int_equal(gs_ring_push(r, &s), GS_ERR_FULL);
    assert_int_equal(gs_ring_dropped(r), 2);
    assert_int_equal(gs_ring_depth(r), 4);
    gs_sample_t out[8];
    assert_int_equal(gs_ring_pop(r, out, 8), 4);
    assert_int_equal(out[3].timestamp_us, 3); /* the oldest survived, 99 never entered */
    assert_int_equal(gs_ring_pop(r, out, 8), 0);
    s = sample(4);
    assert_int_equal(gs_ring_push(r, &s), GS_OK);
    gs_ring_clear(r);
    assert_int_equal(gs_ring_depth(r), 0);
    gs_ring_destroy(r);
}

typedef struct {
    gs_ring_handle_t ring;
    uint64_t n;
    uint64_t pushed_ok;
} producer_arg_t;

static void *producer(void *p)
{
    producer_arg_t *a = p;
    for (uint64_t i = 0; i < a->n; i++) {
        gs_sample_t s = sample(i);
        if (gs_ring_push(a->ring, &s) == GS_OK) {
            a->pushed_ok++;
        }
    }
    return NULL;
}

static void two_threads_lose_nothing_but_counted_drops(void **state)
{
    (void)state;
    gs_ring_handle_t r;
    gs_ring_config_t c = {.capacity = 256};
    assert_int_equal(gs_ring_create(&c, &r), GS_OK);
    producer_arg_t a = {.ring = r, .n = 2000000};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &a), 0);
    gs_sample_t out[32];
    uint64_t got = 0;
    int64_t last = -1;
    int done = 0;
    for (;;) {
        size_t n = gs_ring_pop(r, out, 32);
        for (size_t k = 0; k < n; k++) {
            /* Strictly increasing and intact: no torn or reordered sample. */
            assert_true((int64_t)out[k].timestamp_us > last);
            last = (int64_t)out[k].timestamp_us;
            assert_int_equal(out[k].xyz[0], (int16_t)out[k].timestamp_us);
            assert_int_equal(out[k].xyz[1], (int16_t)(out[k].timestamp_us * 3));
        }
        got += n;
        if (done && n == 0) {
            break;
        }
        if (!done && got + gs_ring_dropped(r) + gs_ring_depth(r) >= a.n) {
            pthread_join(t, NULL);
            done = 1;
        }
    }
    assert_true(got >= 256); /* the consumer really ran concurrently */
    assert_int_equal(got, a.pushed_ok);
    assert_int_equal(got + gs_ring_dropped(r), a.n);
    gs_ring_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejects_bad_capacities),
        cmocka_unit_test(keeps_order_across_many_wrap_arounds),
        cmocka_unit_test(full_ring_drops_the_newest_and_counts_it),
        cmocka_unit_test(two_threads_lose_nothing_but_counted_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
