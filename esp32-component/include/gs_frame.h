/*
 * Byte-stream framing shared with the Java SDK:
 *
 *     frame = COBS(envelope || CRC-32/IEEE(envelope) as 4 bytes little-endian) || 0x00
 *
 * COBS removes every 0x00 from the payload, so 0x00 only ever marks a frame end and a
 * receiver that lost or received garbage bytes resynchronises at the next 0x00.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest envelope (protobuf bytes, before framing) either side sends or accepts. */
#define GS_MAX_ENVELOPE ((unsigned)GS_MAX_ENVELOPE_BYTES) /* the device contract (gs_contract.h) */
/** Size of the CRC trailer. */
#define GS_FRAME_CRC_SIZE 4u
/** Worst-case framed size of an envelope of n bytes: CRC, one COBS code byte per 254 bytes
 *  plus one, and the delimiter. */
#define GS_FRAME_MAX_SIZE(n) ((n) + GS_FRAME_CRC_SIZE + (((n) + GS_FRAME_CRC_SIZE) / 254u) + 2u)
/** How far ahead of the output an envelope may sit for in-place framing. */
#define GS_FRAME_INPLACE_OFFSET(n) ((((n) + GS_FRAME_CRC_SIZE) / 254u) + 2u)
/** Buffer size that holds any frame. */
#define GS_MAX_FRAME GS_FRAME_MAX_SIZE(GS_MAX_ENVELOPE)

/**
 * Frame `env_len` envelope bytes into `out` (including the 0x00 delimiter).
 *
 * `out` may overlap `env` only in the way gs_envelope_encode_frame() uses it: env starting
 * GS_FRAME_INPLACE_OFFSET(env_len) bytes or more after out.
 * @return GS_OK; GS_ERR_INVALID_ARG for NULLs or env_len > GS_MAX_ENVELOPE;
 *         GS_ERR_NO_MEM if out_cap is smaller than the frame.
 */
gs_err_t gs_frame_encode(const uint8_t *env, size_t env_len, uint8_t *out, size_t out_cap,
                         size_t *out_len);

/** Counters of a decoder. Empty frames (0x00 0x00) are not frames and are not counted. */
typedef struct {
    uint64_t frames_ok;      /**< frames delivered */
    uint64_t bad_oversize;   /**< longer than max_envelope + CRC: discarded up to next 0x00 */
    uint64_t bad_cobs;       /**< invalid COBS */
    uint64_t bad_short;      /**< fewer than 5 decoded bytes */
    uint64_t bad_crc;        /**< CRC mismatch */
    uint64_t bytes;          /**< bytes fed, delimiters included */
} gs_frame_stats_t;

/** Sum of the bad_* counters (what Telemetry.bad_frames reports). */
uint64_t gs_frame_stats_bad(const gs_frame_stats_t *stats);

typedef struct gs_frame_decoder *gs_frame_decoder_handle_t;

typedef struct {
    /** Largest envelope accepted; 0 means GS_MAX_ENVELOPE, more is GS_ERR_INVALID_ARG. */
    size_t max_envelope;
} gs_frame_decoder_config_t;

/**
 * Take a decoder from the static pool (GS_MAX_FRAME_DECODERS, Kconfig
 * GS_MAX_FRAME_DECODERS). Not thread-safe: create and destroy at init time.
 * @return GS_OK, GS_ERR_INVALID_ARG, or GS_ERR_NO_MEM when the pool is used up.
 */
gs_err_t gs_frame_decoder_create(const gs_frame_decoder_config_t *config,
                                 gs_frame_decoder_handle_t *out);

/** Return a decoder to the pool. NULL is ignored. */
void gs_frame_decoder_destroy(gs_frame_decoder_handle_t dec);

/** Forget any partial frame (e.g. after a transport reconnect); counters are kept. */
void gs_frame_decoder_reset(gs_frame_decoder_handle_t dec);

/**
 * Feed one byte.
 *
 * When this byte completes a good frame, returns GS_OK and sets *envelope / *envelope_len to
 * the envelope bytes (CRC stripped), valid until the next call on this decoder. Otherwise
 * *envelope is NULL and the return value is GS_OK (frame still in progress, or an empty
 * frame) or the reason the frame that ended here was dropped (GS_ERR_FRAME_*), already
 * counted in the stats.
 */
gs_err_t gs_frame_decoder_push(gs_frame_decoder_handle_t dec, uint8_t byte,
                               const uint8_t **envelope, size_t *envelope_len);

/** Called for every good frame found by gs_frame_decoder_feed(); the bytes are only valid
 *  during the call. */
typedef void (*gs_frame_cb_t)(void *ctx, const uint8_t *envelope, size_t envelope_len);

/**
 * Feed a buffer; `on_frame` runs for each good frame. Bad frames are counted and skipped.
 * @return GS_OK, or GS_ERR_INVALID_ARG for NULL arguments (len 0 with data NULL is fine).
 */
gs_err_t gs_frame_decoder_feed(gs_frame_decoder_handle_t dec, const uint8_t *data, size_t len,
                               gs_frame_cb_t on_frame, void *ctx);

/** Copy the counters. */
void gs_frame_decoder_get_stats(gs_frame_decoder_handle_t dec, gs_frame_stats_t *out);

#ifdef __cplusplus
}
#endif
