/*
 * Envelope helpers over the nanopb structs generated at build time from
 * proto/gyrosentinel/v1/gyrosentinel.proto (static sizes from gyrosentinel.options).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_frame.h"
#include "gyrosentinel/v1/gyrosentinel.pb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Protocol version this build speaks (the one gyrosentinel.proto defines). */
#define GS_PROTOCOL_VERSION 1u

typedef gyrosentinel_v1_Envelope gs_envelope_t;

/** Encode to protobuf bytes. GS_ERR_ENCODE covers a too-small buffer as well (nanopb does
 *  not tell the two apart), GS_ERR_INVALID_ARG NULLs. */
gs_err_t gs_envelope_encode(const gs_envelope_t *env, uint8_t *buf, size_t cap, size_t *len);

/** Decode protobuf bytes; unknown fields are skipped, an unknown body leaves
 *  which_body == 0. GS_ERR_DECODE for malformed input or a field over its static size. */
gs_err_t gs_envelope_decode(const uint8_t *buf, size_t len, gs_envelope_t *env);

/**
 * Encode and frame in one buffer without a second scratch buffer: the envelope is encoded
 * into the tail of `out` and COBS-framed forwards over it. `out_cap` of GS_MAX_FRAME +
 * GS_FRAME_INPLACE_OFFSET(GS_MAX_ENVELOPE) always suffices (GS_ENVELOPE_FRAME_BUF).
 */
gs_err_t gs_envelope_encode_frame(const gs_envelope_t *env, uint8_t *out, size_t out_cap,
                                  size_t *out_len);

#define GS_ENVELOPE_FRAME_BUF (GS_MAX_FRAME + GS_FRAME_INPLACE_OFFSET(GS_MAX_ENVELOPE))

/** Fill `env` as an Error reply. `message` and `field` may be NULL; they are truncated to
 *  their static sizes. */
void gs_envelope_make_error(gs_envelope_t *env, uint32_t request_id,
                            gyrosentinel_v1_ErrorCode code, const char *message,
                            const char *field);

#ifdef __cplusplus
}
#endif
