/* Framing: CRC, COBS encoding, the streaming decoder, its counters and resynchronisation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gs_crc32.h"
#include "gs_frame.h"
#include "gs_test_util.h"

typedef struct {
    size_t count;
    size_t lens[512];
    uint8_t data[512][64];
} collected_t;

static void collect(void *ctx, const uint8_t *env, size_t len)
{
    collected_t *c = ctx;
    assert_true(c->count < 512);
    c->lens[c->count] = len;
    memcpy(c->data[c->count], env, len < 64 ? len : 64);
    c->count++;
}

static gs_frame_decoder_handle_t new_decoder(void)
{
    gs_frame_decoder_handle_t d = NULL;
    assert_int_equal(gs_frame_decoder_create(NULL, &d), GS_OK);
    return d;
}

static void crc32_matches_zlib_check_value(void **state)
{
    (void)state;
    assert_int_equal(gs_crc32_update(0, "123456789", 9), 0xCBF43926u);
    /* Chaining over pieces equals one pass, as with zlib. */
    uint32_t c = gs_crc32_update(0, "1234", 4);
    assert_int_equal(gs_crc32_update(c, "56789", 5), 0xCBF43926u);
    assert_int_equal(gs_crc32_update(0, NULL, 0), 0u);
}

static void encode_then_decode_round_trips_every_length(void **state)
{
    (void)state;
    static uint8_t env[GS_MAX_ENVELOPE];
    static uint8_t frame[GS_MAX_FRAME];
    gs_frame_decoder_handle_t d = new_decoder();
    uint64_t seed = 42;
    for (size_t len = 1; len <= GS_MAX_ENVELOPE; len += (len < 600 ? 1 : 97)) {
        for (size_t i = 0; i < len; i++) {
            /* Mostly non-zero so long COBS blocks (0xFF) are exercised, with some zeros. */
            uint64_t r = gs_test_rand(&seed);
            env[i] = (r % 17 == 0) ? 0 : (uint8_t)(r >> 8 | 1);
        }
        size_t flen = 0;
        assert_int_equal(gs_frame_encode(env, len, frame, sizeof(frame), &flen), GS_OK);
        assert_true(flen <= GS_FRAME_MAX_SIZE(len));
        assert_int_equal(frame[flen - 1], 0);
        assert_null(memchr(frame, 0, flen - 1));
        const uint8_t *out = NULL;
        size_t out_len = 0;
        for (size_t i = 0; i < flen; i++) {
            assert_int_equal(gs_frame_decoder_push(d, frame[i], &out, &out_len), GS_OK);
            if (i + 1 < flen) {
                assert_null(out);
            }
        }
        assert_non_null(out);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, env, len);
    }
    gs_frame_stats_t st;
    gs_frame_decoder_get_stats(d, &st);
    assert_int_equal(gs_frame_stats_bad(&st), 0);
    gs_frame_decoder_destroy(d);
}

static void block_of_254_non_zero_bytes_uses_canonical_cobs(void **state)
{
    (void)state;
    /* 250 data bytes + 4 CRC bytes chosen non-zero: exactly one full 0xFF block, then the
     * canonical trailing 0x01 block. */
    uint8_t env[250];
    for (size_t i = 0; i < sizeof(env); i++) {
        env[i] = (uint8_t)(i % 255 + 1);
    }
    uint32_t crc = gs_crc32_update(0, env, sizeof(env));
    int crc_has_zero = !(crc & 0xFF) || !(crc & 0xFF00) || !(crc & 0xFF0000) || !(crc >> 24);
    assert_false(crc_has_zero);
    uint8_t frame[GS_FRAME_MAX_SIZE(250)];
    size_t flen;
    assert_int_equal(gs_frame_encode(env, sizeof(env), frame, sizeof(frame), &flen), GS_OK);
    assert_int_equal(flen, 1 + 254 + 1 + 1);
    assert_int_equal(frame[0], 0xFF);
    assert_int_equal(frame[255], 0x01);
    assert_int_equal(frame[256], 0x00);
}

static void encode_rejects_bad_arguments(void **state)
{
    (void)state;
    uint8_t env[4] = {1, 2, 3, 4};
    uint8_t out[16];
    size_t n;
    assert_int_equal(gs_frame_encode(env, 4, out, 5, &n), GS_ERR_NO_MEM);
    assert_int_equal(gs_frame_encode(env, 4, NULL, 16, &n), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_frame_encode(env, GS_MAX_ENVELOPE + 1, out, 16, &n), GS_ERR_INVALID_ARG);
}

static void empty_frames_are_ignored_and_not_counted(void **state)
{
    (void)state;
    gs_frame_decoder_handle_t d = new_decoder();
    uint8_t zeros[16] = {0};
    assert_int_equal(gs_frame_decoder_feed(d, zeros, sizeof(zeros), NULL, NULL), GS_OK);
    gs_frame_stats_t st;
    gs_frame_decoder_get_stats(d, &st);
    assert_int_equal(st.frames_ok, 0);
    assert_int_equal(gs_frame_stats_bad(&st), 0);
    assert_int_equal(st.bytes, 16);
    gs_frame_decoder_destroy(d);
}

static gs_err_t push_all(gs_frame_decoder_handle_t d, const uint8_t *b, size_t n)
{
    gs_err_t last = GS_OK;
    const uint8_t *env;
    size_t len;
    for (size_t i = 0; i < n; i++) {
        last = gs_frame_decoder_push(d, b[i], &env, &len);
    }
    return last;
}

static void each_kind_of_bad_frame_is_reported_and_counted(void **state)
{
    (void)state;
    gs_frame_decoder_handle_t d = new_decoder();
    /* Short: 3 decoded bytes. */
    const uint8_t short_frame[] = {0x04, 1, 2, 3, 0x00};
    assert_int_equal(push_all(d, short_frame, sizeof(short_frame)), GS_ERR_FRAME_SHORT);
    /* Invalid COBS: the code byte promises 9 bytes, the frame ends after 3. */
    const uint8_t bad_cobs[] = {0x0A, 1, 2, 3, 0x00};
    assert_int_equal(push_all(d, bad_cobs, sizeof(bad_cobs)), GS_ERR_FRAME_COBS);
    /* Bad CRC: a valid frame with one payload bit flipped. */
    uint8_t env[8] = {8, 1, 16, 2, 0x72, 0, 0x55, 0xAA};
    uint8_t frame[32];
    size_t flen;
    assert_int_equal(gs_frame_encode(env, sizeof(env), frame, sizeof(frame), &flen), GS_OK);
    frame[3] ^= 0x01;
    assert_int_equal(push_all(d, frame, flen), GS_ERR_FRAME_CRC);
    /* Oversize: a run far beyond max_envelope, then a good frame right after. */
    static uint8_t big[GS_MAX_ENVELOPE + 64];
    memset(big, 0x5A, sizeof(big));
    assert_int_equal(push_all(d, big, sizeof(big)), GS_OK);
    const uint8_t delim = 0;
    assert_int_equal(push_all(d, &delim, 1), GS_ERR_FRAME_TOO_LARGE);
    frame[3] ^= 0x01;
    collected_t *c = calloc(1, sizeof(*c));
    assert_int_equal(gs_frame_decoder_feed(d, frame, flen, collect, c), GS_OK);
    assert_int_equal(c->count, 1);
    assert_memory_equal(c->data[0], env, sizeof(env));
    gs_frame_stats_t st;
    gs_frame_decoder_get_stats(d, &st);
    assert_int_equal(st.bad_short, 1);
    assert_int_equal(st.bad_cobs, 1);
    assert_int_equal(st.bad_crc, 1);
    assert_int_equal(st.bad_oversize, 1);
    assert_int_equal(st.frames_ok, 1);
    assert_int_equal(gs_frame_stats_bad(&st), 4);
    free(c);
    gs_frame_decoder_destroy(d);
}

static void configured_max_envelope_is_enforced(void **state)
{
    (void)state;
    gs_frame_decoder_config_t cfg = {.max_envelope = 16};
    gs_frame_decoder_handle_t d;
    assert_int_equal(gs_frame_decoder_create(&cfg, &d), GS_OK);
    uint8_t env[17];
    memset(env, 7, sizeof(env));
    uint8_t frame[64];
    size_t flen;
    assert_int_equal(gs_frame_encode(env, 17, frame, sizeof(frame), &flen), GS_OK);
    assert_int_equal(push_all(d, frame, flen), GS_ERR_FRAME_TOO_LARGE);
    assert_int_equal(gs_frame_encode(env, 16, frame, sizeof(frame), &flen), GS_OK);
    assert_int_equal(push_all(d, frame, flen), GS_OK);
    gs_frame_decoder_destroy(d);
    cfg.max_envelope = GS_MAX_ENVELOPE + 1;
    assert_int_equal(gs_frame_decoder_create(&cfg, &d), GS_ERR_INVALID_ARG);
}

static void pool_exhaustion_is_reported(void **state)
{
    (void)state;
    gs_frame_decoder_handle_t h[64];
    size_t n = 0;
    while (n < 64 && gs_frame_decoder_create(NULL, &h[n]) == GS_OK) {
        n++;
    }
    assert_true(n > 0 && n < 64);
    gs_frame_decoder_handle_t extra;
    assert_int_equal(gs_frame_decoder_create(NULL, &extra), GS_ERR_NO_MEM);
    while (n) {
        gs_frame_decoder_destroy(h[--n]);
    }
}

/*
 * A long stream of frames in which some are damaged (bit flip, dropped byte, garbage
 * prepended without a delimiter) and some gaps carry delimited garbage. Every untouched
 * frame must come out intact and in order, no damaged one may come out, and every damage
 * must be counted.
 */
static void corrupted_stream_keeps_good_frames_and_counts_bad_ones(void **state)
{
    (void)state;
    enum { N = 400 };
    static uint8_t stream[N * 96];
    size_t slen = 0;
    uint8_t expected[N];
    size_t n_expected = 0;
    size_t damaged = 0;
    uint64_t seed = 0x5EED;
    gs_frame_decoder_handle_t d = new_decoder();

    for (int i = 0; i < N; i++) {
        uint8_t env[40];
        size_t len = 5 + gs_test_rand(&seed) % 30;
        for (size_t k = 0; k < len; k++) {
            env[k] = (uint8_t)gs_test_rand(&seed);
        }
        env[0] = (uint8_t)i; /* identifies the frame */
        uint8_t frame[64];
        size_t flen;
        assert_int_equal(gs_frame_encode(env, len, frame, sizeof(frame), &flen), GS_OK);
        int what = (int)(gs_test_rand(&seed) % 8);
        if (what == 0) {            /* flip one bit, never in the delimiter */
            size_t pos = gs_test_rand(&seed) % (flen - 1);
            frame[pos] ^= (uint8_t)(1u << (gs_test_rand(&seed) % 8));
            damaged++;
        } else if (what == 1) {     /* drop one byte, never the delimiter */
            size_t pos = gs_test_rand(&seed) % (flen - 1);
            memmove(&frame[pos], &frame[pos + 1], flen - pos - 1);
            flen--;
            damaged++;
        } else if (what == 2) {     /* garbage glued to the front: this frame is lost */
            size_t g = 1 + gs_test_rand(&seed) % 8;
            for (size_t k = 0; k < g; k++) {
                stream[slen++] = (uint8_t)(gs_test_rand(&seed) | 1);
            }
            damaged++;
        } else {
            expected[n_expected++] = (uint8_t)i;
        }
        memcpy(&stream[slen], frame, flen);
        slen += flen;
        if (gs_test_rand(&seed) % 6 == 0) { /* delimited garbage between frames */
            size_t g = 1 + gs_test_rand(&seed) % 12;
            for (size_t k = 0; k < g; k++) {
                stream[slen++] = (uint8_t)(gs_test_rand(&seed) | 1);
            }
            stream[slen++] = 0;
            damaged++;
        }
    }
    collected_t *c = calloc(1, sizeof(*c));
    /* Feed in odd-sized slices so frame boundaries fall anywhere within a call. */
    for (size_t off = 0; off < slen;) {
        size_t n = 1 + gs_test_rand(&seed) % 37;
        if (n > slen - off) {
            n = slen - off;
        }
        assert_int_equal(gs_frame_decoder_feed(d, &stream[off], n, collect, c), GS_OK);
        off += n;
    }
    assert_int_equal(c->count, n_expected);
    for (size_t i = 0; i < n_expected; i++) {
        assert_int_equal(c->data[i][0], expected[i]);
    }
    gs_frame_stats_t st;
    gs_frame_decoder_get_stats(d, &st);
    assert_int_equal(st.frames_ok, n_expected);
    /* A flip to 0x00 splits a frame in two bad ones, so bad >= damaged; never fewer. */
    assert_true(gs_frame_stats_bad(&st) >= damaged);
    assert_true(gs_frame_stats_bad(&st) <= 2 * damaged);
    assert_int_equal(st.bytes, slen);
    free(c);
    gs_frame_decoder_destroy(d);
}

static void random_bytes_never_crash_the_decoder(void **state)
{
    (void)state;
    gs_frame_decoder_handle_t d = new_decoder();
    uint64_t seed = 7;
    static uint8_t buf[1 << 16];
    for (int round = 0; round < 16; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            uint64_t r = gs_test_rand(&seed);
            buf[i] = (r % 50 == 0) ? 0 : (uint8_t)(r >> 16);
        }
        assert_int_equal(gs_frame_decoder_feed(d, buf, sizeof(buf), NULL, NULL), GS_OK);
    }
    /* After any garbage, a delimiter and a good frame get through. */
    uint8_t env[6] = {1, 2, 3, 4, 5, 6};
    uint8_t frame[32];
    size_t flen;
    assert_int_equal(gs_frame_encode(env, 6, frame, sizeof(frame), &flen), GS_OK);
    collected_t *c = calloc(1, sizeof(*c));
    const uint8_t z = 0;
    gs_frame_decoder_feed(d, &z, 1, collect, c);
    gs_frame_decoder_feed(d, frame, flen, collect, c);
    assert_int_equal(c->count, 1);
    assert_memory_equal(c->data[0], env, 6);
    free(c);
    gs_frame_decoder_destroy(d);
}

/* ---------------------------------------------------------------- reference encoders
 * The straightforward definitions the optimised code must match byte for byte: a bitwise
 * CRC-32/IEEE and the byte-at-a-time canonical COBS encoder gs_frame_encode() used before
 * it copied whole runs. */

static uint32_t ref_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static size_t ref_frame(const uint8_t *env, size_t env_len, uint8_t *out)
{
    uint32_t crc = ref_crc32(0, env, env_len);
    uint8_t trailer[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                          (uint8_t)(crc >> 24)};
    size_t code_pos = 0, w = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < env_len + 4; i++) {
        uint8_t b = i < env_len ? env[i] : trailer[i - env_len];
        if (b == 0) {
            out[code_pos] = code;
            code_pos = w++;
            code = 1;
        } else {
            out[w++] = b;
            if (++code == 0xFF) {
                out[code_pos] = code;
                code_pos = w++;
                code = 1;
            }
        }
    }
    out[code_pos] = code;
    out[w++] = 0x00;
    return w;
}

/* Input patterns that stress the run copying: zero density from none to all, runs that
 * end right at, before and after the 254-byte block limit and at word boundaries. */
static void fill_pattern(uint8_t *b, size_t len, int kind, uint64_t *seed)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t r = gs_test_rand(seed);
        uint8_t nz = (uint8_t)(r >> 8 | 1);
        switch (kind) {
        case 0: b[i] = nz; break;                                     /* no zero at all */
        case 1: b[i] = (r % 3 == 0) ? 0 : nz; break;                  /* dense zeros */
        case 2: b[i] = (r % 200 == 0) ? 0 : nz; break;                /* sparse zeros */
        case 3: b[i] = (i % 254 == 253) ? 0 : nz; break;              /* zero at block end */
        case 4: b[i] = (i % 255 == 254) ? 0 : nz; break;
        case 5: b[i] = (i % 8 == 7 || i % 13 == 0) ? 0 : nz; break;   /* word boundaries */
        case 6: b[i] = 0; break;                                      /* all zeros */
        default: b[i] = (uint8_t)(r >> 24); break;                    /* uniform bytes */
        }
    }
}

static void crc32_slices_match_the_bitwise_definition(void **state)
{
    (void)state;
    static uint8_t buf[4096 + 16];
    uint64_t seed = 3;
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)gs_test_rand(&seed);
    }
    /* Every length up to 80 at every alignment, then long random pieces, and chaining. */
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len <= 80; len++) {
            assert_int_equal(gs_crc32_update(0, buf + off, len), ref_crc32(0, buf + off, len));
            assert_int_equal(gs_crc32_update(0x12345678u, buf + off, len),
                             ref_crc32(0x12345678u, buf + off, len));
        }
    }
    for (int round = 0; round < 500; round++) {
        size_t off = gs_test_rand(&seed) % 16;
        size_t len = gs_test_rand(&seed) % 4097;
        size_t cut = len ? gs_test_rand(&seed) % len : 0;
        uint32_t want = ref_crc32(0, buf + off, len);
        assert_int_equal(gs_crc32_update(0, buf + off, len), want);
        uint32_t c = gs_crc32_update(0, buf + off, cut);
        assert_int_equal(gs_crc32_update(c, buf + off + cut, len - cut), want);
    }
}

static void frame_encoder_matches_the_bytewise_reference(void **state)
{
    (void)state;
    static uint8_t env[GS_MAX_ENVELOPE];
    static uint8_t got[GS_MAX_FRAME], want[GS_MAX_FRAME];
    uint64_t seed = 11;
    for (int kind = 0; kind < 8; kind++) {
        for (size_t len = 0; len <= GS_MAX_ENVELOPE;
             len += (len < 600 ? 1 : 1 + gs_test_rand(&seed) % 61)) {
            fill_pattern(env, len, kind, &seed);
            size_t glen = 0;
            assert_int_equal(gs_frame_encode(env, len, got, sizeof(got), &glen), GS_OK);
            size_t wlen = ref_frame(env, len, want);
            assert_int_equal(glen, wlen);
            assert_memory_equal(got, want, wlen);
        }
    }
}

static void in_place_framing_at_the_minimum_offset_matches_the_reference(void **state)
{
    (void)state;
    /* gs_frame_encode() with the envelope exactly GS_FRAME_INPLACE_OFFSET(len) bytes after
     * the output: the tightest overlap the API allows, where a word stored too early would
     * overwrite input not read yet. */
    static uint8_t env[GS_MAX_ENVELOPE];
    static uint8_t buf[GS_MAX_FRAME + 16], want[GS_MAX_FRAME];
    uint64_t seed = 5;
    for (int kind = 0; kind < 8; kind++) {
        for (size_t len = 0; len <= GS_MAX_ENVELOPE;
             len += (len < 300 ? 1 : 1 + gs_test_rand(&seed) % 97)) {
            fill_pattern(env, len, kind, &seed);
            size_t off = GS_FRAME_INPLACE_OFFSET(len);
            memset(buf, 0xA5, sizeof(buf));
            memcpy(buf + off, env, len);
            size_t glen = 0;
            assert_int_equal(gs_frame_encode(buf + off, len, buf, sizeof(buf), &glen), GS_OK);
            size_t wlen = ref_frame(env, len, want);
            assert_int_equal(glen, wlen);
            assert_memory_equal(buf, want, wlen);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32_matches_zlib_check_value),
        cmocka_unit_test(crc32_slices_match_the_bitwise_definition),
        cmocka_unit_test(frame_encoder_matches_the_bytewise_reference),
        cmocka_unit_test(in_place_framing_at_the_minimum_offset_matches_the_reference),
        cmocka_unit_test(encode_then_decode_round_trips_every_length),
        cmocka_unit_test(block_of_254_non_zero_bytes_uses_canonical_cobs),
        cmocka_unit_test(encode_rejects_bad_arguments),
        cmocka_unit_test(empty_frames_are_ignored_and_not_counted),
        cmocka_unit_test(each_kind_of_bad_frame_is_reported_and_counted),
        cmocka_unit_test(configured_max_envelope_is_enforced),
        cmocka_unit_test(pool_exhaustion_is_reported),
        cmocka_unit_test(corrupted_stream_keeps_good_frames_and_counts_bad_ones),
        cmocka_unit_test(random_bytes_never_crash_the_decoder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
