/* Batcher: SampleBatch content, sequence, decimation, axis selection and gap handling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gs_batcher.h"
#include "gs_test_util.h"

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

/* ---------------------------------------------------------------- reference model
 * The batcher's contract written plainly (it is the code before the per-sample fast path):
 * the optimised batcher must produce the same batches, flags and counters. */
typedef struct {
    gs_batcher_config_t cfg;
    uint32_t channels, sequence, decim_phase, count;
    bool have_last;
    uint64_t last_input_us, first_us, kept;
    uint8_t data[GS_BATCH_MAX_BYTES];
} ref_batcher_t;

static void ref_reset(ref_batcher_t *r, const gs_batcher_config_t *c)
{
    memset(r, 0, sizeof(*r));
    r->cfg = *c;
    r->channels = (c->axes_mask & 1u) + ((c->axes_mask >> 1) & 1u) + ((c->axes_mask >> 2) & 1u);
}

static void ref_emit(ref_batcher_t *r, gs_envelope_t *env)
{
    memset(env, 0, sizeof(*env));
    env->protocol_version = GS_PROTOCOL_VERSION;
    env->which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
    gyrosentinel_v1_SampleBatch *sb = &env->body.sample_batch;
    sb->sequence = r->sequence++;
    sb->timestamp_us = r->first_us;
    sb->sample_period_ns = r->cfg.input_period_ns * r->cfg.decimation;
    sb->count = r->count;
    sb->data.size = (pb_size_t)(r->count * r->channels * 2u);
    memcpy(sb->data.bytes, r->data, sb->data.size);
    r->count = 0;
}

static bool ref_add(ref_batcher_t *r, const gs_sample_t *s, gs_envelope_t *env)
{
    bool produced = false;
    if (r->count == r->cfg.batch_size) {
        ref_emit(r, env);
        produced = true;
    }
    uint64_t gap_limit_us = ((uint64_t)r->cfg.input_period_ns * 3u / 2u + 999u) / 1000u;
    bool gap = r->have_last && (s->timestamp_us < r->last_input_us ||
                                s->timestamp_us - r->last_input_us > gap_limit_us);
    r->have_last = true;
    r->last_input_us = s->timestamp_us;
    if (gap) {
        r->decim_phase = 0;
        if (r->count > 0) {
            ref_emit(r, env);
            produced = true;
        }
    }
    if (r->decim_phase > 0) {
        r->decim_phase--;
        return produced;
    }
    r->decim_phase = r->cfg.decimation - 1;
    if (r->count == 0) {
        r->first_us = s->timestamp_us;
    }
    uint8_t *p = &r->data[r->count * r->channels * 2u];
    for (int axis = 0; axis < 3; axis++) {
        if (r->cfg.axes_mask & (1u << axis)) {
            uint16_t v = (uint16_t)s->xyz[axis];
            *p++ = (uint8_t)(v & 0xFFu);
            *p++ = (uint8_t)(v >> 8);
        }
    }
    r->count++;
    r->kept++;
    if (r->count == r->cfg.batch_size && !produced) {
        ref_emit(r, env);
        produced = true;
    }
    return produced;
}

static void assert_same_batch(const gs_envelope_t *got, const gs_envelope_t *want)
{
    assert_int_equal(got->protocol_version, want->protocol_version);
    assert_int_equal(got->request_id, want->request_id);
    assert_int_equal(got->which_body, want->which_body);
    const gyrosentinel_v1_SampleBatch *g = &got->body.sample_batch;
    const gyrosentinel_v1_SampleBatch *w = &want->body.sample_batch;
    assert_int_equal(g->sequence, w->sequence);
    assert_int_equal(g->timestamp_us, w->timestamp_us);
    assert_int_equal(g->sample_period_ns, w->sample_period_ns);
    assert_int_equal(g->count, w->count);
    assert_int_equal(g->data.size, w->data.size);
    assert_memory_equal(g->data.bytes, w->data.bytes, w->data.size);
    uint8_t a[GS_MAX_ENVELOPE], b[GS_MAX_ENVELOPE];
    size_t na, nb;
    assert_int_equal(gs_envelope_encode(got, a, sizeof(a), &na), GS_OK);
    assert_int_equal(gs_envelope_encode(want, b, sizeof(b), &nb), GS_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
}

static void random_streams_match_the_reference_model(void **state)
{
    (void)state;
    static gs_envelope_t got, want;
    static ref_batcher_t ref;
    uint64_t seed = 77;
    gs_batcher_handle_t b = NULL;
    for (int cfg_round = 0; cfg_round < 300; cfg_round++) {
        uint64_t r = gs_test_rand(&seed);
        uint32_t mask = 1u + (uint32_t)(r % 7);
        uint32_t ch = (mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u);
        uint32_t max_batch = (uint32_t)(GS_BATCH_MAX_BYTES / (2u * ch));
        const uint32_t sizes[] = {1, 2, 3, 25, 64, 100, 256, max_batch};
        gs_batcher_config_t c = {
            .batch_size = sizes[(r >> 8) % 8] > max_batch ? max_batch : sizes[(r >> 8) % 8],
            .axes_mask = mask,
            .input_period_ns = (r >> 16) % 2 ? 260417u : 1u + (uint32_t)((r >> 20) % 5000000u),
            .decimation = (r >> 44) % 3 == 0 ? 1u + (uint32_t)((r >> 48) % 4) : 1u,
        };
        if (b) {
            assert_int_equal(gs_batcher_configure(b, &c), GS_OK);
        } else {
            assert_int_equal(gs_batcher_create(&c, &b), GS_OK);
        }
        ref_reset(&ref, &c);
        uint64_t step = (c.input_period_ns + 500u) / 1000u;
        uint64_t t = (r >> 60) == 0 ? gs_test_rand(&seed) : gs_test_rand(&seed) % 100000000000u;
        long n = (long)(gs_test_rand(&seed) % 2000);
        for (long i = 0; i < n; i++) {
            gs_sample_t s = {.timestamp_us = t};
            for (int a = 0; a < 3; a++) {
                s.xyz[a] = (int16_t)gs_test_rand(&seed);
            }
            uint64_t q = gs_test_rand(&seed);
            if (q % 50 == 0) {
                t += step * (2 + q % 5);              /* a gap */
            } else if (q % 97 == 0) {
                t -= (q >> 8) % 1000;                 /* time going backwards */
            } else if (q % 7 == 0) {
                /* right at the gap limit, and one microsecond over it */
                t += ((uint64_t)c.input_period_ns * 3u / 2u + 999u) / 1000u + ((q >> 8) & 1u);
            } else if (q % 401 == 0) {
                t = gs_test_rand(&seed);              /* anywhere, up to 2^64 - 1 */
            } else {
                t += step + ((q >> 8) & 1u);          /* jitter within 1.5 periods */
            }
            bool produced = true;
            assert_int_equal(gs_batcher_add(b, &s, &got, &produced), GS_OK);
            bool want_produced = ref_add(&ref, &s, &want);
            assert_int_equal(produced, want_produced);
            if (produced) {
                assert_same_batch(&got, &want);
            }
            assert_int_equal(gs_batcher_kept(b), ref.kept);
            assert_int_equal(gs_batcher_next_sequence(b), ref.sequence);
        }
        gs_err_t fe = gs_batcher_flush(b, &got);
        if (ref.count) {
            assert_int_equal(fe, GS_OK);
            ref_emit(&ref, &want);
            assert_same_batch(&got, &want);
        } else {
            assert_int_equal(fe, GS_ERR_EMPTY);
        }
    }
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
        cmocka_unit_test(random_streams_match_the_reference_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
