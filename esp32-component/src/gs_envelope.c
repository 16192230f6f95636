#include <string.h>
#include "gs_envelope.h"
#include "gs_frame.h"
#include "pb_encode.h"
#include "pb_decode.h"

/* ------------------------------------------------------------ SampleBatch fast path
 *
 * The one message sent hundreds of times a second is encoded by hand; nanopb's
 * descriptor-driven encoder spent more instructions per batch than the rest of the sample
 * path together. The bytes are exactly nanopb's (test_golden compares the two over the
 * golden vector and thousands of random batches):
 *   Envelope:    1 protocol_version, 2 request_id (varint, omitted when 0 as proto3 does),
 *                3 sample_batch (length-delimited, always present since it is the oneof
 *                member that is set)
 *   SampleBatch: 1 sequence, 2 timestamp_us, 3 sample_period_ns, 4 count (varints),
 *                5 data (bytes); each omitted when 0 / empty.
 * Every other body goes through nanopb. */

enum {
    WT_VARINT = 0,
    WT_LEN = 2,
};

#define KEY(field, wt) ((uint8_t)(((field) << 3) | (wt)))

static inline size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80u) {
        *p++ = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Size of an optional proto3 varint field with a one-byte key (0 when v == 0). */
static inline size_t opt_varint_size(uint64_t v)
{
    return v ? 1u + varint_size(v) : 0u;
}

static inline uint8_t *put_opt_varint(uint8_t *p, uint8_t key, uint64_t v)
{
    if (v) {
        *p++ = key;
        p = put_varint(p, v);
    }
    return p;
}

static gs_err_t encode_sample_batch(const gs_envelope_t *env, uint8_t *buf, size_t cap,
                                    size_t *len)
{
    const gyrosentinel_v1_SampleBatch *sb = &env->body.sample_batch;
    const size_t data_len = sb->data.size;
    if (data_len > sizeof(sb->data.bytes)) {
        return GS_ERR_ENCODE; /* nanopb: "bytes size exceeded" */
    }
    const size_t body_len = opt_varint_size(sb->sequence) + opt_varint_size(sb->timestamp_us) +
                            opt_varint_size(sb->sample_period_ns) + opt_varint_size(sb->count) +
                            (data_len ? 1u + varint_size(data_len) + data_len : 0u);
    const size_t total = opt_varint_size(env->protocol_version) +
                         opt_varint_size(env->request_id) + 1u + varint_size(body_len) +
                         body_len;
    if (total > cap) {
        return GS_ERR_ENCODE; /* nanopb: "stream full" */
    }
    uint8_t *p = buf;
    p = put_opt_varint(p, KEY(1, WT_VARINT), env->protocol_version);
    p = put_opt_varint(p, KEY(2, WT_VARINT), env->request_id);
    *p++ = KEY(gyrosentinel_v1_Envelope_sample_batch_tag, WT_LEN);
    p = put_varint(p, body_len);
    p = put_opt_varint(p, KEY(1, WT_VARINT), sb->sequence);
    p = put_opt_varint(p, KEY(2, WT_VARINT), sb->timestamp_us);
    p = put_opt_varint(p, KEY(3, WT_VARINT), sb->sample_period_ns);
    p = put_opt_varint(p, KEY(4, WT_VARINT), sb->count);
    if (data_len) {
        *p++ = KEY(5, WT_LEN);
        p = put_varint(p, data_len);
        memcpy(p, sb->data.bytes, data_len);
        p += data_len;
    }
    *len = (size_t)(p - buf);
    return GS_OK;
}

gs_err_t gs_envelope_encode(const gs_envelope_t *env, uint8_t *buf, size_t cap, size_t *len)
{
    if (!env || !buf || !len) {
        return GS_ERR_INVALID_ARG;
    }
    if (env->which_body == gyrosentinel_v1_Envelope_sample_batch_tag) {
        return encode_sample_batch(env, buf, cap, len);
    }
    pb_ostream_t s = pb_ostream_from_buffer(buf, cap);
    if (!pb_encode(&s, gyrosentinel_v1_Envelope_fields, env)) {
        return GS_ERR_ENCODE;
    }
    *len = s.bytes_written;
    return GS_OK;
}

gs_err_t gs_envelope_decode(const uint8_t *buf, size_t len, gs_envelope_t *env)
{
    if (!env || (!buf && len)) {
        return GS_ERR_INVALID_ARG;
    }
    /* pb_decode fills defaults first, so a reused struct never leaks a previous body. */
    pb_istream_t s = pb_istream_from_buffer(buf ? buf : (const uint8_t *)"", len);
    if (!pb_decode(&s, gyrosentinel_v1_Envelope_fields, env)) {
        return GS_ERR_DECODE;
    }
    return GS_OK;
}

gs_err_t gs_envelope_encode_frame(const gs_envelope_t *env, uint8_t *out, size_t out_cap,
                                  size_t *out_len)
{
    if (!env || !out || !out_len) {
        return GS_ERR_INVALID_ARG;
    }
    const size_t off = GS_FRAME_INPLACE_OFFSET(GS_MAX_ENVELOPE);
    if (out_cap <= off) {
        return GS_ERR_NO_MEM;
    }
    size_t room = out_cap - off;
    if (room > GS_MAX_ENVELOPE) {
        room = GS_MAX_ENVELOPE;
    }
    size_t env_len;
    gs_err_t err = gs_envelope_encode(env, out + off, room, &env_len);
    if (err != GS_OK) {
        return err;
    }
    return gs_frame_encode(out + off, env_len, out, out_cap, out_len);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void gs_envelope_make_error(gs_envelope_t *env, uint32_t request_id,
                            gyrosentinel_v1_ErrorCode code, const char *message,
                            const char *field)
{
    if (!env) {
        return;
    }
    memset(env, 0, sizeof(*env)); /* == _init_zero for a proto3 message */
    env->protocol_version = GS_PROTOCOL_VERSION;
    env->request_id = request_id;
    env->which_body = gyrosentinel_v1_Envelope_error_tag;
    env->body.error.code = code;
    copy_str(env->body.error.message, sizeof(env->body.error.message), message);
    copy_str(env->body.error.field, sizeof(env->body.error.field), field);
}
