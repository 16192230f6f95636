/*
 * GyroSentinel portable core: result codes.
 *
 * Every fallible gs_ function returns a gs_err_t; there are no -1/-2 sentinels. The codes
 * are stable (they appear in logs), so new codes are only ever appended.
 */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    GS_OK = 0,
    GS_ERR_INVALID_ARG = 1,     /**< NULL pointer, out-of-range value, bad config */
    GS_ERR_NO_MEM = 2,          /**< static pool exhausted or caller buffer too small */
    GS_ERR_INVALID_STATE = 3,   /**< call not allowed in the current state */
    GS_ERR_ENCODE = 4,          /**< protobuf encoding failed (field too large for its static size) */
    GS_ERR_DECODE = 5,          /**< protobuf decoding failed (malformed or oversize field) */
    GS_ERR_FRAME_TOO_LARGE = 6, /**< decoded frame longer than GS_MAX_ENVELOPE + CRC */
    GS_ERR_FRAME_COBS = 7,      /**< invalid COBS (truncated block) */
    GS_ERR_FRAME_SHORT = 8,     /**< fewer than 5 decoded bytes: no room for envelope + CRC */
    GS_ERR_FRAME_CRC = 9,       /**< CRC-32 trailer does not match */
    GS_ERR_UNSUPPORTED = 10,    /**< feature not compiled in or not offered by a backend */
    GS_ERR_IO = 11,             /**< transport or storage I/O failure */
    GS_ERR_TIMEOUT = 12,
    GS_ERR_SENSOR = 13,         /**< sensor backend reported a failure */
    GS_ERR_EMPTY = 14,          /**< nothing available (ring buffer empty, no batch ready) */
    GS_ERR_FULL = 15,           /**< no room (ring buffer full) */
    GS_ERR_CRC_MISMATCH = 16,   /**< model chunk CRC-32 does not match its data */
    GS_ERR_OFFSET_MISMATCH = 17,/**< model chunk does not start at the expected offset */
    GS_ERR_HASH_MISMATCH = 18,  /**< SHA-256 of the received model differs from ModelBegin */
    GS_ERR_SIGNATURE = 19,      /**< ECDSA signature missing or invalid */
    GS_ERR_TOO_LARGE = 20,      /**< model larger than a slot */
    GS_ERR_NO_MODEL = 21,       /**< no valid model in the requested slot */
    GS_ERR_STORAGE = 22,        /**< storage backend failure */
    GS_ERR_MODEL_LOAD = 23,     /**< the model runtime refused the active model (bad bundle, manifest or weights) */
    GS_ERR_VERSION = 24,        /**< model version lower than the highest accepted one (anti-rollback) */
} gs_err_t;

/** Stable, static name of a code ("GS_ERR_FRAME_CRC"); never NULL. */
const char *gs_err_to_name(gs_err_t err);

#ifdef __cplusplus
}
#endif
