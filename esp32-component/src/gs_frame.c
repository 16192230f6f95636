#include <string.h>
#include "gs_frame.h"
#include "gs_crc32.h"
#include "gs_config.h"

/* ------------------------------------------------------------------ encoder */

/* Word-at-a-time zero search where unaligned word loads are cheap; elsewhere (the Xtensa
 * ESP32-S3, whose CRC comes from ROM anyway) the byte loop alone is used. */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__) || \
    defined(__ARM_FEATURE_UNALIGNED)
#define GS_COBS_WORDS 1
#else
#define GS_COBS_WORDS 0
#endif

/* COBS state: out[code_pos] is the code byte of the open block, `code` its value so far
 * (1 + data bytes in it), out[w] the next data byte. */
typedef struct {
    uint8_t *out;
    size_t code_pos;
    size_t w;
    size_t code;
} cobs_t;

static inline void cobs_close(cobs_t *c)
{
    c->out[c->code_pos] = (uint8_t)c->code;
    c->code_pos = c->w++;
    c->code = 1;
}

/*
 * Canonical COBS of `n` more bytes. A block that reaches 254 data bytes is closed with code
 * 0xFF even when the input ends right there (so such an input ends with an extra 0x01
 * block). The Java encoder produces the same form, which keeps golden frames
 * byte-identical.
 *
 * In-place safety (gs_envelope_encode_frame): the output cursor never passes the input
 * cursor (`in` starts at least GS_FRAME_INPLACE_OFFSET ahead), every word is loaded before
 * it is stored, a word is stored only when all of its bytes are data of the current run,
 * and the code byte slots written lie behind the input cursor.
 */
static void cobs_put(cobs_t *c, const uint8_t *in, size_t n)
{
    uint8_t *out = c->out;
    while (n > 0) {
        size_t lim = 0xFFu - c->code; /* data bytes the open block can still take */
        if (lim > n) {
            lim = n;
        }
        uint8_t *dst = out + c->w;
        size_t i = 0;
#if GS_COBS_WORDS
        while (i + 8 <= lim) {
            uint64_t v;
            memcpy(&v, in + i, 8);
            /* Classic "has a zero byte" test: exact for the any-zero question. */
            if (((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull) != 0) {
                break;
            }
            memcpy(dst + i, &v, 8);
            i += 8;
        }
#endif
        while (i < lim && in[i] != 0) {
            dst[i] = in[i];
            i++;
        }
        c->w += i;
        c->code += i;
        in += i;
        n -= i;
        if (i < lim) {
            /* in[0] is a zero: it ends the block. */
            cobs_close(c);
            in++;
            n--;
        } else if (c->code == 0xFFu) {
            cobs_close(c);
        }
    }
}

gs_err_t gs_frame_encode(const uint8_t *env, size_t env_len, uint8_t *out, size_t out_cap,
                         size_t *out_len)
{
    if (!out || !out_len || (!env && env_len) || env_len > GS_MAX_ENVELOPE) {
        return GS_ERR_INVALID_ARG;
    }
    if (out_cap < GS_FRAME_MAX_SIZE(env_len)) {
        return GS_ERR_NO_MEM;
    }
    /* CRC first: in-place framing overwrites the envelope as it goes. */
    uint32_t crc = gs_crc32_update(0, env, env_len);
    const uint8_t trailer[GS_FRAME_CRC_SIZE] = {
        (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24),
    };
    cobs_t c = {.out = out, .code_pos = 0, .w = 1, .code = 1};
    if (env_len) {
        cobs_put(&c, env, env_len);
    }
    cobs_put(&c, trailer, sizeof(trailer));
    out[c.code_pos] = (uint8_t)c.code;
    out[c.w++] = 0x00;
    *out_len = c.w;
    return GS_OK;
}

/* ------------------------------------------------------------------ decoder */

struct gs_frame_decoder {
    uint8_t in_use;
    uint8_t discarding;      /* a drop reason is pending until the next 0x00 */
    gs_err_t drop_reason;
    uint8_t block_code;      /* code byte of the current COBS block, 0 before the first */
    uint8_t remaining;       /* data bytes still expected in the current block */
    size_t raw_len;          /* encoded bytes seen in this frame */
    size_t len;              /* decoded bytes in buf */
    size_t max_len;          /* max_envelope + CRC */
    gs_frame_stats_t stats;
    uint8_t buf[GS_MAX_ENVELOPE + GS_FRAME_CRC_SIZE];
};

static struct gs_frame_decoder s_decoders[GS_MAX_FRAME_DECODERS];

uint64_t gs_frame_stats_bad(const gs_frame_stats_t *s)
{
    return s ? s->bad_oversize + s->bad_cobs + s->bad_short + s->bad_crc : 0;
}

static void start_frame(struct gs_frame_decoder *d)
{
    d->discarding = 0;
    d->drop_reason = GS_OK;
    d->block_code = 0;
    d->remaining = 0;
    d->raw_len = 0;
    d->len = 0;
}

gs_err_t gs_frame_decoder_create(const gs_frame_decoder_config_t *config,
                                 gs_frame_decoder_handle_t *out)
{
    if (!out) {
        return GS_ERR_INVALID_ARG;
    }
    size_t max_env = config && config->max_envelope ? config->max_envelope : GS_MAX_ENVELOPE;
    if (max_env > GS_MAX_ENVELOPE) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < GS_MAX_FRAME_DECODERS; i++) {
        struct gs_frame_decoder *d = &s_decoders[i];
        if (!d->in_use) {
            memset(d, 0, sizeof(*d) - sizeof(d->buf));
            d->in_use = 1;
            d->max_len = max_env + GS_FRAME_CRC_SIZE;
            start_frame(d);
            *out = d;
            return GS_OK;
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_frame_decoder_destroy(gs_frame_decoder_handle_t dec)
{
    if (dec) {
        dec->in_use = 0;
    }
}

void gs_frame_decoder_reset(gs_frame_decoder_handle_t dec)
{
    if (dec) {
        start_frame(dec);
    }
}

static void drop(struct gs_frame_decoder *d, gs_err_t why)
{
    if (!d->discarding) {
        d->discarding = 1;
        d->drop_reason = why;
    }
}

static gs_err_t count_drop(struct gs_frame_decoder *d, gs_err_t why)
{
    switch (why) {
    case GS_ERR_FRAME_TOO_LARGE: d->stats.bad_oversize++; break;
    case GS_ERR_FRAME_COBS: d->stats.bad_cobs++; break;
    case GS_ERR_FRAME_SHORT: d->stats.bad_short++; break;
    default: d->stats.bad_crc++; break;
    }
    return why;
}

static gs_err_t end_frame(struct gs_frame_decoder *d, const uint8_t **envelope,
                          size_t *envelope_len)
{
    gs_err_t result = GS_OK;
    if (d->raw_len == 0) {
        /* 0x00 0x00: idle filler or a resync marker, not a frame. */
    } else if (d->discarding) {
        result = count_drop(d, d->drop_reason);
    } else if (d->remaining != 0) {
        result = count_drop(d, GS_ERR_FRAME_COBS);
    } else if (d->len < GS_FRAME_CRC_SIZE + 1) {
        result = count_drop(d, GS_ERR_FRAME_SHORT);
    } else {
        size_t n = d->len - GS_FRAME_CRC_SIZE;
        const uint8_t *t = &d->buf[n];
        uint32_t want = (uint32_t)t[0] | ((uint32_t)t[1] << 8) | ((uint32_t)t[2] << 16) |
                        ((uint32_t)t[3] << 24);
        if (gs_crc32_update(0, d->buf, n) != want) {
            result = count_drop(d, GS_ERR_FRAME_CRC);
        } else {
            d->stats.frames_ok++;
            *envelope = d->buf;
            *envelope_len = n;
        }
    }
    start_frame(d);
    return result;
}

static void append(struct gs_frame_decoder *d, uint8_t b)
{
    if (d->len >= d->max_len) {
        drop(d, GS_ERR_FRAME_TOO_LARGE);
        return;
    }
    d->buf[d->len++] = b;
}

gs_err_t gs_frame_decoder_push(gs_frame_decoder_handle_t d, uint8_t byte,
                               const uint8_t **envelope, size_t *envelope_len)
{
    if (!d || !envelope || !envelope_len) {
        return GS_ERR_INVALID_ARG;
    }
    *envelope = NULL;
    *envelope_len = 0;
    d->stats.bytes++;
    if (byte == 0x00) {
        return end_frame(d, envelope, envelope_len);
    }
    d->raw_len++;
    if (d->discarding) {
        return GS_OK;
    }
    if (d->remaining == 0) {
        /* A code byte. The zero implied by the previous block is only real when another
         * block follows, so it is materialised here rather than at the block's end. */
        if (d->block_code != 0 && d->block_code != 0xFF) {
            append(d, 0x00);
        }
        d->block_code = byte;
        d->remaining = (uint8_t)(byte - 1);
    } else {
        append(d, byte);
        d->remaining--;
    }
    return GS_OK;
}

gs_err_t gs_frame_decoder_feed(gs_frame_decoder_handle_t dec, const uint8_t *data, size_t len,
                               gs_frame_cb_t on_frame, void *ctx)
{
    if (!dec || (!data && len)) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < len; i++) {
        const uint8_t *env;
        size_t env_len;
        (void)gs_frame_decoder_push(dec, data[i], &env, &env_len);
        if (env && on_frame) {
            on_frame(ctx, env, env_len);
        }
    }
    return GS_OK;
}

void gs_frame_decoder_get_stats(gs_frame_decoder_handle_t dec, gs_frame_stats_t *out)
{
    if (dec && out) {
        *out = dec->stats;
    }
}
