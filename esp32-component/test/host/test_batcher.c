/* Batcher: SampleBatch content, sequence, decimation, axis selection and gap handling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gs_batcher.h"

static gs_sample_t at(uint64_t t_us, int16_t x, int16_t y, int16_t z)
{
    gs_sample_t s = {.timestamp_us = t_us, .xyz = {x, y, z}};
    return s;
}

static int16_t le16(const uint8_t *p)
{
    return (int16_t)(uint16_t)(p[0] | (p[1] << 8));
}

static gs_batcher_handle_t make(uint32_t batch, uint32_t mask, uint32_t period_ns, uint32_t decim)
{
    gs_batcher_config_t c = {.batch_size = batch, .axes_mask = mask,
                             .input_period_ns = period_ns, .decimation = decim};
    gs_batcher_handle_t b = NULL;
    assert_int_equal(gs_batcher_create(&c, &b), GS_OK);
    return b;
}

static void full_batches_carry_sequence_time_and_le_interleaved_data(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(4, 7, 1000000, 1);
    static gs_envelope_t env;
    int batches = 0;
    for (int i = 0; i < 10; i++) {
        bool produced;
        gs_sample_t s = at(5000000 + (uint64_t)i * 1000, (int16_t)i, (int16_t)-i, (int16_t)(i * 1000 - 32768));
        assert_int_equal(gs_batcher_add(b, &s, &env, &produced), GS_OK);
        if (produced) {
            const gyrosentinel_v1_SampleBatch *sb = &env.body.sample_batch;
            assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_sample_batch_tag);
            assert_int_equal(env.request_id, 0);
            assert_int_equal(env.protocol_version, 1);
            assert_int_equal(sb->sequence, batches);
            assert_int_equal(sb->timestamp_us, 5000000 + (uint64_t)batches * 4000);
            assert_int_equal(sb->sample_period_ns, 1000000);
            assert_int_equal(sb->count, 4);
            assert_int_equal(sb->data.size, 24);
            for (int k = 0; k < 4; k++) {
                int i0 = batches * 4 + k;
                assert_int_equal(le16(&sb->data.bytes[k * 6 + 0]), i0);
                assert_int_equal(le16(&sb->data.bytes[k * 6 + 2]), -i0);
                assert_int_equal(le16(&sb->data.bytes[k * 6 + 4]), (int16_t)(i0 * 1000 - 32768));
            }
            batches++;
        }
    }
    assert_int_equal(batches, 2);
    assert_int_equal(gs_batcher_flush(b, &env), GS_OK);
    assert_int_equal(env.body.sample_batch.sequence, 2);
    assert_int_equal(env.body.sample_batch.count, 2);
    assert_int_equal(env.body.sample_batch.timestamp_us, 5008000);
    assert_int_equal(gs_batcher_flush(b, &env), GS_ERR_EMPTY);
    assert_int_equal(gs_batcher_next_sequence(b), 3);
    gs_batcher_reset(b);
    assert_int_equal(gs_batcher_next_sequence(b), 0);
    gs_batcher_destroy(b);
}

static void only_enabled_axes_are_sent_in_xyz_order(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(2, 5 /* X and Z */, 1000000, 1);
    static gs_envelope_t env;
    bool produced;
    gs_sample_t s1 = at(0, 11, 22, 33), s2 = at(1000, 44, 55, 66);
    gs_batcher_add(b, &s1, &env, &produced);
    assert_false(produced);
    gs_batcher_add(b, &s2, &env, &produced);
    assert_true(produced);
    const gyrosentinel_v1_SampleBatch *sb = &env.body.sample_batch;
    assert_int_equal(sb->data.size, 8);
    assert_int_equal(le16(&sb->data.bytes[0]), 11);
    assert_int_equal(le16(&sb->data.bytes[2]), 33);
    assert_int_equal(le16(&sb->data.bytes[4]), 44);
    assert_int_equal(le16(&sb->data.bytes[6]), 66);
    gs_batcher_destroy(b);
}

static void decimation_keeps_one_in_n_and_scales_the_period(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(3, 1, 500000, 3);
    static gs_envelope_t env;
    bool produced = false;
    int i = 0;
    while (!produced) {
        gs_sample_t s = at((uint64_t)i * 500, (int16_t)i, 0, 0);
        gs_batcher_add(b, &s, &env, &produced);
        i++;
    }
    assert_int_equal(i, 7); /* samples 0, 3, 6 */
    const gyrosentinel_v1_SampleBatch *sb = &env.body.sample_batch;
    assert_int_equal(sb->sample_period_ns, 1500000);
    assert_int_equal(le16(&sb->data.bytes[0]), 0);
    assert_int_equal(le16(&sb->data.bytes[2]), 3);
    assert_int_equal(le16(&sb->data.bytes[4]), 6);
    assert_int_equal(gs_batcher_kept(b), 3);
    gs_batcher_destroy(b);
}

static void a_gap_closes_the_batch_so_timestamps_stay_true(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(10, 7, 1000000, 1);
    static gs_envelope_t env;
    bool produced;
    for (int i = 0; i < 3; i++) {
        gs_sample_t s = at(1000u * (uint64_t)i, 1, 2, 3);
        gs_batcher_add(b, &s, &env, &produced);
        assert_false(produced);
    }
    gs_sample_t late = at(9000, 4, 5, 6); /* samples 3..8 were lost */
    gs_batcher_add(b, &late, &env, &produced);
    assert_true(produced);
    assert_int_equal(env.body.sample_batch.count, 3);
    assert_int_equal(env.body.sample_batch.sequence, 0);
    assert_int_equal(gs_batcher_flush(b, &env), GS_OK);
    assert_int_equal(env.body.sample_batch.timestamp_us, 9000);
    assert_int_equal(env.body.sample_batch.count, 1);
    assert_int_equal(env.body.sample_batch.sequence, 1);
    gs_batcher_destroy(b);
}

static void batch_of_one_with_gaps_never_overflows(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(1, 7, 1000000, 1);
    static gs_envelope_t env;
    int produced_count = 0;
    for (int i = 0; i < 50; i++) {
        bool produced;
        gs_sample_t s = at((uint64_t)i * 5000, (int16_t)i, 0, 0); /* every sample after a gap */
        assert_int_equal(gs_batcher_add(b, &s, &env, &produced), GS_OK);
        if (produced) {
            assert_int_equal(env.body.sample_batch.count, 1);
            assert_int_equal(env.body.sample_batch.sequence, produced_count);
            assert_int_equal(le16(env.body.sample_batch.data.bytes), produced_count);
            produced_count++;
        }
    }
    if (gs_batcher_flush(b, &env) == GS_OK) {
        produced_count++;
    }
    assert_int_equal(produced_count, 50);
    gs_batcher_destroy(b);
}

static void configurations_that_do_not_fit_a_batch_are_rejected(void **state)
{
    (void)state;
    gs_batcher_config_t c = {.batch_size = 256, .axes_mask = 7, .input_period_ns = 1000,
                             .decimation = 1};
    assert_int_equal(gs_batcher_check_config(&c), GS_OK);
    c.batch_size = 257;
    assert_int_equal(gs_batcher_check_config(&c), GS_ERR_INVALID_ARG);
    c.axes_mask = 1;
    c.batch_size = 768;
    assert_int_equal(gs_batcher_check_config(&c), GS_OK);
    c.batch_size = 0;
    assert_int_equal(gs_batcher_check_config(&c), GS_ERR_INVALID_ARG);
    c.batch_size = 1;
    c.axes_mask = 8;
    assert_int_equal(gs_batcher_check_config(&c), GS_ERR_INVALID_ARG);
    c.axes_mask = 1;
    c.decimation = 0;
    assert_int_equal(gs_batcher_check_config(&c), GS_ERR_INVALID_ARG);
}

static void a_full_batch_encodes_within_the_envelope_limit(void **state)
{
    (void)state;
    gs_batcher_handle_t b = make(256, 7, 260417, 1);
    static gs_envelope_t env;
    bool produced = false;
    for (int i = 0; i < 256; i++) {
        gs_sample_t s = at(UINT64_C(1) << 40 | (uint64_t)i * 260, -1, -1, -1);
        gs_batcher_add(b, &s, &env, &produced);
    }
    assert_true(produced);
    static uint8_t out[GS_ENVELOPE_FRAME_BUF];
    size_t n;
    assert_int_equal(gs_envelope_encode_frame(&env, out, sizeof(out), &n), GS_OK);
    assert_true(n <= GS_MAX_FRAME);
    gs_batcher_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_batches_carry_sequence_time_and_le_interleaved_data),
        cmocka_unit_test(only_enabled_axes_are_sent_in_xyz_order),
        cmocka_unit_test(decimation_keeps_one_in_n_and_scales_the_period),
        cmocka_unit_test(a_gap_closes_the_batch_so_timestamps_stay_true),
        cmocka_unit_test(batch_of_one_with_gaps_never_overflows),
        cmocka_unit_test(configurations_that_do_not_fit_a_batch_are_rejected),
        cmocka_unit_test(a_full_batch_encodes_within_the_envelope_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
