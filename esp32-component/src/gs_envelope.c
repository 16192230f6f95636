#include <string.h>
#include "gs_envelope.h"
#include "gs_frame.h"
#include "pb_encode.h"
#include "pb_decode.h"

gs_err_t gs_envelope_encode(const gs_envelope_t *env, uint8_t *buf, size_t cap, size_t *len)
{
    if (!env || !buf || !len) {
        return GS_ERR_INVALID_ARG;
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
