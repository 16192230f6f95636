/*
 * Golden vectors shared with the Java side (proto/testdata): for every NAME.frame.bin the
 * deframed bytes must equal NAME.envelope.bin, and decoding then re-encoding with nanopb
 * must reproduce both files byte for byte (protobuf-java checks the same bytes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "gs_envelope.h"
#include "gs_frame.h"
#include "gs_test_util.h"
#include "pb_encode.h"

static uint8_t *load(const char *name, const char *suffix, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s%s", GS_TESTDATA_DIR, name, suffix);
    uint8_t *b = gs_test_read_file(path, len);
    if (!b) {
        fail_msg("missing golden file %s", path);
    }
    return b;
}

static void check_vector(const char *name, gs_envelope_t *env)
{
    size_t flen, elen;
    uint8_t *frame = load(name, ".frame.bin", &flen);
    uint8_t *expect_env = load(name, ".envelope.bin", &elen);

    gs_frame_decoder_handle_t d;
    assert_int_equal(gs_frame_decoder_create(NULL, &d), GS_OK);
    const uint8_t *got = NULL;
    size_t got_len = 0;
    for (size_t i = 0; i < flen; i++) {
        assert_int_equal(gs_frame_decoder_push(d, frame[i], &got, &got_len), GS_OK);
    }
    assert_non_null(got);
    assert_int_equal(got_len, elen);
    assert_memory_equal(got, expect_env, elen);
    gs_frame_decoder_destroy(d);

    assert_int_equal(gs_envelope_decode(expect_env, elen, env), GS_OK);
    uint8_t re[GS_MAX_ENVELOPE];
    size_t re_len;
    assert_int_equal(gs_envelope_encode(env, re, sizeof(re), &re_len), GS_OK);
    assert_int_equal(re_len, elen);
    assert_memory_equal(re, expect_env, elen);

    static uint8_t out[GS_ENVELOPE_FRAME_BUF];
    size_t out_len;
    assert_int_equal(gs_envelope_encode_frame(env, out, sizeof(out), &out_len), GS_OK);
    assert_int_equal(out_len, flen);
    assert_memory_equal(out, frame, flen);
    free(frame);
    free(expect_env);
}

static void every_golden_frame_round_trips_byte_identically(void **state)
{
    (void)state;
    DIR *dir = opendir(GS_TESTDATA_DIR);
    assert_non_null(dir);
    struct dirent *e;
    int seen = 0;
    static gs_envelope_t env;
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        const char *suffix = ".frame.bin";
        if (n > strlen(suffix) && strcmp(e->d_name + n - strlen(suffix), suffix) == 0) {
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)(n - strlen(suffix)), e->d_name);
            print_message("golden: %s\n", name);
            check_vector(name, &env);
            seen++;
        }
    }
    closedir(dir);
    /* The six vectors of protocol v1; new ones are picked up automatically. */
    assert_true(seen >= 6);
}

static void golden_hello_decodes_to_its_text_form(void **state)
{
    (void)state;
    static gs_envelope_t env;
    check_vector("hello", &env);
    assert_int_equal(env.protocol_version, 1);
    assert_int_equal(env.request_id, 1);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_hello_tag);
    assert_int_equal(env.body.hello.min_protocol_version, 1);
    assert_int_equal(env.body.hello.max_protocol_version, 1);
    assert_string_equal(env.body.hello.client_name, "gyrosentinel-java/0.1.0");
}

static void golden_configure_and_error_decode_to_their_text_form(void **state)
{
    (void)state;
    static gs_envelope_t env;
    check_vector("configure", &env);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_configure_tag);
    assert_true(env.body.configure.odr_hz == 1666.0f);
    assert_int_equal(env.body.configure.full_scale_dps, 250);
    assert_int_equal(env.body.configure.axes_mask, 7);
    assert_int_equal(env.body.configure.batch_size, 25);

    check_vector("error", &env);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_error_tag);
    assert_int_equal(env.body.error.code, gyrosentinel_v1_ErrorCode_PROTOCOL_VERSION);
    assert_string_equal(env.body.error.field, "hello.min_protocol_version");
}

static void golden_sample_batch_carries_little_endian_samples(void **state)
{
    (void)state;
    static gs_envelope_t env;
    check_vector("sample_batch", &env);
    const gyrosentinel_v1_SampleBatch *b = &env.body.sample_batch;
    assert_int_equal(b->sequence, 7);
    assert_int_equal(b->timestamp_us, 1000000);
    assert_int_equal(b->count, 2);
    assert_int_equal(b->data.size, 12);
    int16_t v[6];
    for (int i = 0; i < 6; i++) {
        v[i] = (int16_t)(b->data.bytes[2 * i] | (b->data.bytes[2 * i + 1] << 8));
    }
    const int16_t want[6] = {1, -1, 10000, -32768, 32767, 0};
    assert_memory_equal(v, want, sizeof(want));
}

static void error_helper_builds_the_golden_error(void **state)
{
    (void)state;
    static gs_envelope_t env;
    gs_envelope_make_error(&env, 3, gyrosentinel_v1_ErrorCode_PROTOCOL_VERSION,
                           "device speaks protocol 1..1, host asked 2..3",
                           "hello.min_protocol_version");
    uint8_t out[256];
    size_t n, elen;
    assert_int_equal(gs_envelope_encode(&env, out, sizeof(out), &n), GS_OK);
    uint8_t *want = load("error", ".envelope.bin", &elen);
    assert_int_equal(n, elen);
    assert_memory_equal(out, want, elen);
    free(want);
}

static void unknown_body_and_unknown_fields_are_skipped(void **state)
{
    (void)state;
    /* protocol_version 1, request_id 5, field 99 (varint 1), field 40 (bytes "ab"). */
    const uint8_t bytes[] = {0x08, 0x01, 0x10, 0x05, 0x98, 0x06, 0x01, 0xC2, 0x02, 0x02, 'a', 'b'};
    static gs_envelope_t env;
    assert_int_equal(gs_envelope_decode(bytes, sizeof(bytes), &env), GS_OK);
    assert_int_equal(env.request_id, 5);
    assert_int_equal(env.which_body, 0);
}

static void oversize_string_is_a_decode_error(void **state)
{
    (void)state;
    static gs_envelope_t env;
    memset(&env, 0, sizeof(env));
    env.which_body = gyrosentinel_v1_Envelope_hello_tag;
    /* Hand-made: hello { client_name: 60 x 'a' } exceeds max_size 48. */
    uint8_t bytes[80] = {0x72, 62, 0x1A, 60};
    memset(&bytes[4], 'a', 60);
    assert_int_equal(gs_envelope_decode(bytes, 64, &env), GS_ERR_DECODE);
    assert_int_equal(gs_envelope_decode(bytes, 3, &env), GS_ERR_DECODE);
}

static void in_place_framing_matches_framing_from_a_separate_buffer(void **state)
{
    (void)state;
    static gs_envelope_t env;
    uint64_t seed = 99;
    for (int round = 0; round < 50; round++) {
        memset(&env, 0, sizeof(env));
        env.protocol_version = 1;
        env.which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
        gyrosentinel_v1_SampleBatch *b = &env.body.sample_batch;
        b->sequence = (uint32_t)gs_test_rand(&seed);
        b->timestamp_us = gs_test_rand(&seed);
        b->count = 256;
        b->data.size = (pb_size_t)(1 + gs_test_rand(&seed) % sizeof(b->data.bytes));
        for (size_t i = 0; i < b->data.size; i++) {
            /* Runs without zeros make long COBS blocks, where overlap bugs would show. */
            b->data.bytes[i] = (uint8_t)((round % 2) ? (gs_test_rand(&seed) | 1) : gs_test_rand(&seed));
        }
        static uint8_t env_bytes[GS_MAX_ENVELOPE], sep[GS_MAX_FRAME], inplace[GS_ENVELOPE_FRAME_BUF];
        size_t elen, slen, ilen;
        assert_int_equal(gs_envelope_encode(&env, env_bytes, sizeof(env_bytes), &elen), GS_OK);
        assert_int_equal(gs_frame_encode(env_bytes, elen, sep, sizeof(sep), &slen), GS_OK);
        assert_int_equal(gs_envelope_encode_frame(&env, inplace, sizeof(inplace), &ilen), GS_OK);
        assert_int_equal(ilen, slen);
        assert_memory_equal(inplace, sep, slen);
    }
}

/* gs_envelope_encode() writes SampleBatch envelopes by hand; nanopb is the reference. */
static bool nanopb_encode(const gs_envelope_t *env, uint8_t *buf, size_t cap, size_t *len)
{
    pb_ostream_t s = pb_ostream_from_buffer(buf, cap);
    bool ok = pb_encode(&s, gyrosentinel_v1_Envelope_fields, env);
    *len = s.bytes_written;
    return ok;
}

/* Values at and around every varint length boundary (7-bit groups), 0 and the maxima. */
static uint64_t boundary_value(uint64_t *seed, unsigned max_bits)
{
    uint64_t r = gs_test_rand(seed);
    switch (r % 4) {
    case 0:
        return 0;
    case 1: { /* 2^(7k) - 1, 2^(7k), 2^(7k) + 1 */
        unsigned k = 1 + (unsigned)((r >> 8) % 10);
        unsigned bits = 7 * k;
        uint64_t p = bits >= 64 ? 0 : (UINT64_C(1) << bits);
        uint64_t v = p + ((r >> 16) % 3) - 1;
        if (bits >= 64) {
            v = UINT64_MAX - ((r >> 16) % 3);
        }
        return max_bits >= 64 ? v : (v & ((UINT64_C(1) << max_bits) - 1));
    }
    case 2:
        return max_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << max_bits) - 1;
    default: { /* uniform magnitude: random bit length, random bits */
        unsigned bits = 1 + (unsigned)((r >> 8) % max_bits);
        uint64_t v = gs_test_rand(seed);
        return bits >= 64 ? v : (v & ((UINT64_C(1) << bits) - 1));
    }
    }
}

static void sample_batch_fast_encoder_matches_nanopb(void **state)
{
    (void)state;
    static gs_envelope_t env;
    static uint8_t fast[GS_MAX_ENVELOPE], ref[GS_MAX_ENVELOPE];
    static uint8_t frame[GS_ENVELOPE_FRAME_BUF], ref_frame[GS_MAX_FRAME];
    uint64_t seed = 2024;
    for (int round = 0; round < 20000; round++) {
        memset(&env, round % 2 ? 0 : 0x5A, sizeof(env)); /* stale union bytes must not leak */
        env.protocol_version = (round % 8 == 0) ? (uint32_t)boundary_value(&seed, 32) : 1;
        env.request_id = (round % 4 == 0) ? (uint32_t)boundary_value(&seed, 32) : 0;
        env.which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
        gyrosentinel_v1_SampleBatch *b = &env.body.sample_batch;
        b->sequence = (uint32_t)boundary_value(&seed, 32);
        b->timestamp_us = boundary_value(&seed, 64);
        b->sample_period_ns = (uint32_t)boundary_value(&seed, 32);
        uint64_t r = gs_test_rand(&seed);
        b->count = (r % 5 == 0) ? (uint32_t)boundary_value(&seed, 32) : (uint32_t)(r % 257);
        switch ((r >> 16) % 6) {
        case 0: b->data.size = 0; break;
        case 1: b->data.size = (pb_size_t)sizeof(b->data.bytes); break;
        case 2: b->data.size = (pb_size_t)(6 * (b->count % 257)); break;
        default: b->data.size = (pb_size_t)((r >> 24) % (sizeof(b->data.bytes) + 1)); break;
        }
        if (b->data.size > sizeof(b->data.bytes)) {
            b->data.size = (pb_size_t)sizeof(b->data.bytes);
        }
        for (size_t i = 0; i < b->data.size; i++) {
            b->data.bytes[i] = (uint8_t)((r >> 40) % 3 == 0 ? gs_test_rand(&seed) % 3
                                                              : gs_test_rand(&seed));
        }

        size_t flen = 0, rlen = 0;
        assert_true(nanopb_encode(&env, ref, sizeof(ref), &rlen));
        assert_int_equal(gs_envelope_encode(&env, fast, sizeof(fast), &flen), GS_OK);
        assert_int_equal(flen, rlen);
        assert_memory_equal(fast, ref, rlen);

        /* Exactly enough room works, one byte less fails, as with nanopb. */
        assert_int_equal(gs_envelope_encode(&env, fast, rlen, &flen), GS_OK);
        assert_int_equal(flen, rlen);
        size_t dummy;
        assert_int_equal(gs_envelope_encode(&env, fast, rlen - 1, &flen), GS_ERR_ENCODE);
        assert_false(nanopb_encode(&env, ref_frame, rlen - 1, &dummy));

        /* And the frame is the frame of nanopb's bytes. */
        size_t want_len = 0, got_len = 0;
        assert_int_equal(gs_frame_encode(ref, rlen, ref_frame, sizeof(ref_frame), &want_len),
                         GS_OK);
        assert_int_equal(gs_envelope_encode_frame(&env, frame, sizeof(frame), &got_len), GS_OK);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(frame, ref_frame, want_len);
    }

    /* A size over the field's max_size is an encode error on both paths. */
    env.body.sample_batch.data.size = (pb_size_t)(sizeof(env.body.sample_batch.data.bytes) + 1);
    size_t n;
    assert_false(nanopb_encode(&env, ref, sizeof(ref), &n));
    assert_int_equal(gs_envelope_encode(&env, fast, sizeof(fast), &n), GS_ERR_ENCODE);
}

static void golden_sample_batch_is_reproduced_by_the_fast_encoder(void **state)
{
    (void)state;
    /* Built field by field (not decoded), so only the hand-written encoder is involved. */
    static gs_envelope_t env;
    memset(&env, 0, sizeof(env));
    env.protocol_version = 1;
    env.which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
    gyrosentinel_v1_SampleBatch *b = &env.body.sample_batch;
    size_t elen, flen;
    uint8_t *want_env = load("sample_batch", ".envelope.bin", &elen);
    uint8_t *want_frame = load("sample_batch", ".frame.bin", &flen);
    /* proto/testdata/sample_batch.txtpb */
    b->sequence = 7;
    b->timestamp_us = 1000000;
    b->sample_period_ns = 600240;
    b->count = 2;
    const int16_t v[6] = {1, -1, 10000, -32768, 32767, 0};
    for (int i = 0; i < 6; i++) {
        b->data.bytes[2 * i] = (uint8_t)((uint16_t)v[i] & 0xFFu);
        b->data.bytes[2 * i + 1] = (uint8_t)((uint16_t)v[i] >> 8);
    }
    b->data.size = 12;
    uint8_t out[64];
    size_t n;
    assert_int_equal(gs_envelope_encode(&env, out, sizeof(out), &n), GS_OK);
    assert_int_equal(n, elen);
    assert_memory_equal(out, want_env, elen);
    static uint8_t framed[GS_ENVELOPE_FRAME_BUF];
    assert_int_equal(gs_envelope_encode_frame(&env, framed, sizeof(framed), &n), GS_OK);
    assert_int_equal(n, flen);
    assert_memory_equal(framed, want_frame, flen);
    free(want_env);
    free(want_frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_golden_frame_round_trips_byte_identically),
        cmocka_unit_test(golden_hello_decodes_to_its_text_form),
        cmocka_unit_test(golden_configure_and_error_decode_to_their_text_form),
        cmocka_unit_test(golden_sample_batch_carries_little_endian_samples),
        cmocka_unit_test(error_helper_builds_the_golden_error),
        cmocka_unit_test(unknown_body_and_unknown_fields_are_skipped),
        cmocka_unit_test(oversize_string_is_a_decode_error),
        cmocka_unit_test(in_place_framing_matches_framing_from_a_separate_buffer),
        cmocka_unit_test(sample_batch_fast_encoder_matches_nanopb),
        cmocka_unit_test(golden_sample_batch_is_reproduced_by_the_fast_encoder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
