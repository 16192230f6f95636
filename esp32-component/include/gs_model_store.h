/*
 * Model store: resumable chunked transfer into the inactive of two slots, verified by
 * SHA-256 and an ECDSA P-256 signature before it can become active, with rollback to the
 * previous model.
 *
 * Transfer: begin(size, sha256, manifest, signature) -> chunk(offset, data, crc32)... ->
 * commit. A begin with the sha256 of the transfer in progress resumes it (next_offset).
 * The signature is over SHA-256(manifest || sha256). Transfer progress lives in RAM (it
 * survives a disconnect, not a reboot); slot metadata is persisted by the storage backend.
 *
 * Everything a begin can be checked for is checked before a slot or the metadata is touched
 * (docs/protocol.md §3.2): size, signature, the manifest's deployment members (gs_bundle.h
 * gs_manifest_parse_deploy), model id against the manifest's modelId, the manifest's "scope"
 * against the device id, and its "version" against the highest version ever committed
 * (anti-rollback, persisted in the metadata record; "downgrade": true lets a bundle go lower and
 * resets the counter to its version at commit). A refused begin leaves both slots, the metadata
 * and a pending transfer as they were.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h"
#include "gs_envelope.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GS_MODEL_SLOTS: the device contract (gs_contract.h). */
#define GS_MODEL_META_MAX 256u

/** Storage backend: two model slots and one small metadata record. */
typedef struct {
    /** Prepare `slot` to receive `size` bytes (erase flash, truncate a file). */
    gs_err_t (*erase)(void *ctx, uint32_t slot, uint32_t size);
    gs_err_t (*write)(void *ctx, uint32_t slot, uint32_t offset, const uint8_t *data, size_t len);
    gs_err_t (*read)(void *ctx, uint32_t slot, uint32_t offset, uint8_t *data, size_t len);
    /** Load the metadata record; GS_ERR_EMPTY when none was ever saved. */
    gs_err_t (*load_meta)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
    /** Replace the metadata record atomically (a crash leaves the old or the new one). */
    gs_err_t (*save_meta)(void *ctx, const uint8_t *buf, size_t len);
    /** Optional: memory-map `size` bytes of `slot` read-only (flash mmap), so a model runs in
     *  place; NULL or GS_ERR_UNSUPPORTED -> the runtime reads the slot into RAM. */
    gs_err_t (*map)(void *ctx, uint32_t slot, uint32_t size, const uint8_t **data);
} gs_storage_ops_t;

typedef struct {
    const gs_storage_ops_t *ops;
    void *ctx;
    uint32_t slot_size;      /**< capacity of each slot, bytes */
} gs_storage_t;

/** File backend (host, or a mounted FS on the device): DIR/slot0.bin, slot1.bin, meta.bin. */
gs_err_t gs_storage_file_create(const char *dir, uint32_t slot_size, gs_storage_t *out);
void gs_storage_file_destroy(gs_storage_t *storage);

typedef struct {
    gs_storage_t storage;
    /** Trusted signer: SubjectPublicKeyInfo, DER or PEM (PEM length includes the NUL). */
    const uint8_t *public_key;
    size_t public_key_len;
    /** Refuse unsigned models (CAPABILITY_SIGNED_MODELS). Needs public_key. */
    bool require_signature;
} gs_model_store_config_t;

typedef struct gs_model_store *gs_model_store_handle_t;

/**
 * Opens the store (at boot). Every slot the metadata calls valid is re-hashed: a slot whose
 * bytes no longer match the SHA-256 committed for them becomes invalid, and if it was the
 * active one the previous model becomes active (or none).
 */
gs_err_t gs_model_store_create(const gs_model_store_config_t *config,
                               gs_model_store_handle_t *out);
void gs_model_store_destroy(gs_model_store_handle_t store);

/**
 * The device id a bundle's manifest "scope" must equal (DeviceInfo.device_id, at most 47 bytes).
 * gs_device_create binds it to the device's own id; until then (or with NULL/"") every scoped
 * bundle is refused.
 */
/** The store has a key and verifies signatures (DeviceInfo's CAPABILITY_SIGNED_MODELS). */
bool gs_model_store_checks_signatures(gs_model_store_handle_t store);

gs_err_t gs_model_store_set_device_id(gs_model_store_handle_t store, const char *device_id);

/** The highest manifest "version" this store has committed (0 when none): the anti-rollback floor. */
uint32_t gs_model_store_highest_version(gs_model_store_handle_t store);

/**
 * Why the last begin/chunk/commit failed, for Error.message (NUL-terminated, at most 95 bytes), and
 * the field it is about (*field, may be NULL); NULL when that failure left no detail.
 */
const char *gs_model_store_error_detail(gs_model_store_handle_t store, const char **field);

/**
 * ModelBegin. *next_offset is where the host continues (0 for a new transfer). Refusals:
 * GS_ERR_INVALID_ARG (size 0, malformed manifest member, model_id differing from the manifest's
 * modelId, a scope naming another device), GS_ERR_TOO_LARGE, GS_ERR_SIGNATURE, GS_ERR_VERSION
 * (version below the highest accepted one without "downgrade": true); see
 * gs_model_store_error_detail.
 */
gs_err_t gs_model_store_begin(gs_model_store_handle_t store, const gyrosentinel_v1_ModelBegin *req,
                              uint32_t *next_offset);
/** ModelChunk: CRC, offset and bounds are checked before anything is written. */
gs_err_t gs_model_store_chunk(gs_model_store_handle_t store, const gyrosentinel_v1_ModelChunk *req);
/** ModelCommit: re-reads the slot, checks size, SHA-256 and signature, marks it valid. */
gs_err_t gs_model_store_commit(gs_model_store_handle_t store, bool activate);
gs_err_t gs_model_store_abort(gs_model_store_handle_t store);
gs_err_t gs_model_store_activate(gs_model_store_handle_t store, uint32_t slot);
/** Back to the previously active model. */
gs_err_t gs_model_store_rollback(gs_model_store_handle_t store);
/** The runtime reports whether the active model loaded; a failure rolls back. */
gs_err_t gs_model_store_report_load(gs_model_store_handle_t store, bool ok);

/** The active model: slot and payload size. GS_ERR_NO_MODEL when none. */
gs_err_t gs_model_store_active_model(gs_model_store_handle_t store, uint32_t *slot, uint32_t *size);
/** Read from a slot that holds a valid model (bounds checked against its size). */
gs_err_t gs_model_store_read(gs_model_store_handle_t store, uint32_t slot, uint32_t offset,
                             uint8_t *data, size_t len);
/** Map a valid slot through the storage backend; GS_ERR_UNSUPPORTED when it cannot map. */
gs_err_t gs_model_store_map(gs_model_store_handle_t store, uint32_t slot, const uint8_t **data);

/** Channels a stored calibration holds (the scorer's maximum). */
#define GS_MODEL_CAL_MAX_CHANNELS 3u

/** A device-side calibration of the model in one slot (normalisation and threshold). */
typedef struct {
    uint32_t channels;
    float mean[GS_MODEL_CAL_MAX_CHANNELS];
    float std[GS_MODEL_CAL_MAX_CHANNELS];
    float threshold;
} gs_model_calibration_t;

/**
 * Keep `cal` with the metadata of `slot` (which must hold a valid model), so it survives a
 * reboot: gs_model_runtime applies it whenever it loads that slot. One calibration is kept (the
 * last saved); a new transfer into the slot, or the slot becoming invalid, drops it.
 */
gs_err_t gs_model_store_save_calibration(gs_model_store_handle_t store, uint32_t slot,
                                         const gs_model_calibration_t *cal);
/** The calibration kept for `slot`; GS_ERR_EMPTY when there is none. */
gs_err_t gs_model_store_calibration(gs_model_store_handle_t store, uint32_t slot,
                                    gs_model_calibration_t *out);

/** Active slot, or -1. */
int32_t gs_model_store_active_slot(gs_model_store_handle_t store);
/** Fill a ModelStatus (also the model_slots of DeviceInfo). */
void gs_model_store_status(gs_model_store_handle_t store, gyrosentinel_v1_ModelStatus *out);

#ifdef __cplusplus
}
#endif
