#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "gs_model_store.h"
#include "gs_contract.h"
#include "gs_bundle.h"
#include "gs_crc32.h"
#include "mbedtls/version.h"
#include "mbedtls/sha256.h"
#include "mbedtls/pk.h"

/* mbedtls 2.28 (Debian, host) names the int-returning SHA-256 calls *_ret; 3.x (ESP-IDF 5)
 * dropped the suffix. */
#if MBEDTLS_VERSION_MAJOR >= 3
#define GS_SHA_START(c) mbedtls_sha256_starts((c), 0)
#define GS_SHA_UPDATE(c, d, n) mbedtls_sha256_update((c), (d), (n))
#define GS_SHA_FINISH(c, o) mbedtls_sha256_finish((c), (o))
#else
#define GS_SHA_START(c) mbedtls_sha256_starts_ret((c), 0)
#define GS_SHA_UPDATE(c, d, n) mbedtls_sha256_update_ret((c), (d), (n))
#define GS_SHA_FINISH(c, o) mbedtls_sha256_finish_ret((c), (o))
#endif

#define META_MAGIC 0x4D534753u /* "SGSM" */
/* Version 2 added the kept calibration, version 3 the highest accepted model version
 * (anti-rollback); version 1 and 2 records are still read (highest accepted version 0). */
#define META_VERSION 3u
#define META_VERSION_2 2u
#define META_VERSION_1 1u
#define READ_CHUNK 512u

typedef struct {
    uint8_t valid;
    uint32_t size;
    uint8_t sha256[32];
    char model_id[48];
} slot_meta_t;

/* Fields of every version of the persisted record, in this order at its start. */
#define META_HEAD                                                                              \
    uint32_t magic;                                                                            \
    uint32_t version;                                                                          \
    int32_t active;                                                                            \
    int32_t previous;                                                                          \
    slot_meta_t slots[GS_MODEL_SLOTS];

/* Persisted record; CRC-protected so a torn write is detected and ignored. */
typedef struct {
    META_HEAD
    int32_t cal_slot; /* slot the calibration belongs to, or -1 */
    gs_model_calibration_t cal;
    uint32_t highest_version; /* highest manifest "version" ever committed (anti-rollback) */
    uint32_t crc;
} meta_t;

/* The version 2 record: no anti-rollback counter. */
typedef struct {
    META_HEAD
    int32_t cal_slot;
    gs_model_calibration_t cal;
    uint32_t crc;
} meta_v2_t;

/* The version 1 record, as written by firmware before calibrations were kept. */
typedef struct {
    META_HEAD
    uint32_t crc;
} meta_v1_t;

typedef struct {
    bool receiving;
    bool committed;
    uint32_t slot;
    uint32_t size;
    uint32_t next_offset;
    uint8_t sha256[32];
    char model_id[48];
    uint32_t version;   /* the manifest's "version" */
    bool downgrade;     /* the manifest's "downgrade" */
    gyrosentinel_v1_ModelBegin_manifest_t manifest;
    gyrosentinel_v1_ModelBegin_signature_t signature;
} transfer_t;

struct gs_model_store {
    uint8_t in_use;
    gs_model_store_config_t cfg;
    char device_id[48];  /* what a bundle's "scope" must equal (gs_model_store_set_device_id) */
    meta_t meta;
    transfer_t xfer;
    char err_msg[96];    /* why the last begin/chunk/commit failed ("" = no detail) */
    const char *err_field;
    uint8_t buf[READ_CHUNK];
};

static struct gs_model_store s_store;
static gs_err_t hash_slot(struct gs_model_store *s, uint32_t slot, uint32_t size, uint8_t out[32]);

_Static_assert(sizeof(meta_t) <= GS_MODEL_META_MAX, "metadata record too large");

static gs_err_t save_meta(struct gs_model_store *s)
{
    s->meta.magic = META_MAGIC;
    s->meta.version = META_VERSION;
    s->meta.crc = gs_crc32_update(0, &s->meta, offsetof(meta_t, crc));
    return s->cfg.storage.ops->save_meta(s->cfg.storage.ctx, (const uint8_t *)&s->meta,
                                         sizeof(s->meta)) == GS_OK ? GS_OK : GS_ERR_STORAGE;
}

static void load_meta(struct gs_model_store *s)
{
    size_t len = 0;
    meta_t m;
    memset(&s->meta, 0, sizeof(s->meta));
    s->meta.active = -1;
    s->meta.previous = -1;
    s->meta.cal_slot = -1;
    if (s->cfg.storage.ops->load_meta(s->cfg.storage.ctx, (uint8_t *)&m, sizeof(m), &len) != GS_OK ||
        m.magic != META_MAGIC) {
        return; /* nothing usable: start empty rather than trust a damaged record */
    }
    if (len == sizeof(meta_v1_t) && m.version == META_VERSION_1) {
        meta_v1_t v1;
        memcpy(&v1, &m, sizeof(v1));
        if (v1.crc != gs_crc32_update(0, &v1, offsetof(meta_v1_t, crc))) {
            return;
        }
        m.cal_slot = -1;
        memset(&m.cal, 0, sizeof(m.cal));
        m.highest_version = 0;
    } else if (len == sizeof(meta_v2_t) && m.version == META_VERSION_2) {
        meta_v2_t v2;
        memcpy(&v2, &m, sizeof(v2));
        if (v2.crc != gs_crc32_update(0, &v2, offsetof(meta_v2_t, crc))) {
            return;
        }
        m.highest_version = 0;
    } else if (len != sizeof(m) || m.version != META_VERSION ||
               m.crc != gs_crc32_update(0, &m, offsetof(meta_t, crc))) {
        return;
    }
    if (m.active >= (int32_t)GS_MODEL_SLOTS || m.previous >= (int32_t)GS_MODEL_SLOTS ||
        m.cal_slot >= (int32_t)GS_MODEL_SLOTS || m.cal.channels > GS_MODEL_CAL_MAX_CHANNELS) {
        return;
    }
    s->meta = m;
}

/* A slot stops holding a valid model (erased for a transfer, damaged, or it did not load);
 * its calibration goes with it. */
static void invalidate(struct gs_model_store *s, uint32_t slot)
{
    s->meta.slots[slot].valid = 0;
    if (s->meta.cal_slot == (int32_t)slot) {
        s->meta.cal_slot = -1;
    }
}

/* The active model is gone: the previous one (if still valid) becomes active, else none. */
static void fall_back(struct gs_model_store *s)
{
    int32_t p = s->meta.previous;
    s->meta.active = (p >= 0 && s->meta.slots[p].valid) ? p : -1;
    s->meta.previous = -1;
}

/* At open (boot): every slot the record calls valid must still hash to what was committed.
 * Flash that rotted or was overwritten behind the store's back makes that slot invalid; if it
 * was the active one, the previous model (itself re-checked) becomes active, else none. A read
 * error counts as damage. The record is saved only when something changed. */
static void verify_slots(struct gs_model_store *s)
{
    bool changed = false;
    for (uint32_t i = 0; i < GS_MODEL_SLOTS; i++) {
        slot_meta_t *m = &s->meta.slots[i];
        uint8_t digest[32];
        if (m->valid && (m->size > s->cfg.storage.slot_size || hash_slot(s, i, m->size, digest) != GS_OK ||
                         memcmp(digest, m->sha256, 32) != 0)) {
            invalidate(s, i);
            changed = true;
        }
    }
    if (s->meta.active >= 0 && !s->meta.slots[s->meta.active].valid) {
        fall_back(s);
        changed = true;
    }
    if (s->meta.previous >= 0 && !s->meta.slots[s->meta.previous].valid) {
        s->meta.previous = -1;
        changed = true;
    }
    if (changed) {
        (void)save_meta(s); /* if this fails, the same check runs again at the next boot */
    }
}

gs_err_t gs_model_store_create(const gs_model_store_config_t *c, gs_model_store_handle_t *out)
{
    if (!c || !out || !c->storage.ops || !c->storage.ops->erase || !c->storage.ops->write ||
        !c->storage.ops->read || !c->storage.ops->load_meta || !c->storage.ops->save_meta ||
        c->storage.slot_size == 0 || (c->require_signature && !c->public_key)) {
        return GS_ERR_INVALID_ARG;
    }
    if (s_store.in_use) {
        return GS_ERR_NO_MEM;
    }
    memset(&s_store, 0, sizeof(s_store));
    s_store.in_use = 1;
    s_store.cfg = *c;
    load_meta(&s_store);
    verify_slots(&s_store);
    *out = &s_store;
    return GS_OK;
}

void gs_model_store_destroy(gs_model_store_handle_t s)
{
    if (s) {
        s->in_use = 0;
    }
}

bool gs_model_store_checks_signatures(gs_model_store_handle_t s)
{
    return s && s->cfg.public_key;
}

gs_err_t gs_model_store_set_device_id(gs_model_store_handle_t s, const char *device_id)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    snprintf(s->device_id, sizeof(s->device_id), "%s", device_id ? device_id : "");
    return GS_OK;
}

uint32_t gs_model_store_highest_version(gs_model_store_handle_t s)
{
    return s ? s->meta.highest_version : 0;
}

const char *gs_model_store_error_detail(gs_model_store_handle_t s, const char **field)
{
    if (field) {
        *field = s && s->err_msg[0] ? s->err_field : NULL;
    }
    return s && s->err_msg[0] ? s->err_msg : NULL;
}

_Static_assert(sizeof(((gyrosentinel_v1_ModelChunk *)0)->data.bytes) == GS_MAX_CHUNK_BYTES,
               "gyrosentinel.options ModelChunk.data max_size differs from device_contract.txt MAX_CHUNK_BYTES");

/* Records why a request is refused (the device sends it in Error.message / Error.field). */
static gs_err_t refuse(struct gs_model_store *s, gs_err_t err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static gs_err_t refuse(struct gs_model_store *s, gs_err_t err, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err_msg, sizeof(s->err_msg), fmt, ap);
    va_end(ap);
    s->err_field = field;
    return err;
}

/* The signature over SHA-256(manifest || sha256), as ModelBegin carries them. */
static gs_err_t verify_signature(struct gs_model_store *s, const gyrosentinel_v1_ModelBegin_manifest_t *manifest,
                                 const gyrosentinel_v1_ModelBegin_signature_t *signature, const uint8_t sha256[32])
{
    if (signature->size == 0) {
        return s->cfg.require_signature
                   ? refuse(s, GS_ERR_SIGNATURE, "model_begin.signature", GS_MSG_MODEL_UNSIGNED)
                   : GS_OK;
    }
    if (!s->cfg.public_key) {
        /* Signed, but this device has no key (it takes unsigned models too): the signature cannot be checked and
         * is ignored, as it would be with no signature at all. The device does not claim SIGNED_MODELS. */
        return GS_OK;
    }
    uint8_t digest[32];
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    int rc = GS_SHA_START(&sha);
    if (!rc) rc = GS_SHA_UPDATE(&sha, manifest->bytes, manifest->size);
    if (!rc) rc = GS_SHA_UPDATE(&sha, sha256, 32);
    if (!rc) rc = GS_SHA_FINISH(&sha, digest);
    mbedtls_sha256_free(&sha);
    if (!rc) {
        mbedtls_pk_context pk;
        mbedtls_pk_init(&pk);
        rc = mbedtls_pk_parse_public_key(&pk, s->cfg.public_key, s->cfg.public_key_len);
        if (!rc && !mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA)) {
            rc = -1;
        }
        if (!rc) {
            rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest, sizeof(digest), signature->bytes,
                                   signature->size);
        }
        mbedtls_pk_free(&pk);
    }
    return rc ? refuse(s, GS_ERR_SIGNATURE, "model_begin.signature",
                       GS_MSG_MODEL_BAD_SIGNATURE)
              : GS_OK;
}

static uint32_t target_slot(const struct gs_model_store *s)
{
    /* Never overwrite the running model: take the other slot. */
    return s->meta.active == 0 ? 1u : 0u;
}

/* Everything ModelBegin can be checked for, before any slot or metadata is touched: size,
 * signature, the manifest's deployment members, model id, scope and version. */
static gs_err_t check_begin(struct gs_model_store *s, const gyrosentinel_v1_ModelBegin *req,
                            gs_manifest_deploy_t *m)
{
    if (req->size == 0) {
        return refuse(s, GS_ERR_INVALID_ARG, "model_begin.size", GS_MSG_MODEL_SIZE_ZERO);
    }
    if (req->size > s->cfg.storage.slot_size) {
        return refuse(s, GS_ERR_TOO_LARGE, "model_begin.size", GS_MSG_MODEL_TOO_LARGE,
                      (unsigned long)req->size, (unsigned long)s->cfg.storage.slot_size);
    }
    gs_err_t err = verify_signature(s, &req->manifest, &req->signature, req->sha256);
    if (err != GS_OK) {
        return err;
    }
    const char *field = NULL, *msg = NULL;
    if (gs_manifest_parse_deploy(req->manifest.bytes, req->manifest.size, m, &field, &msg) != GS_OK) {
        return refuse(s, GS_ERR_INVALID_ARG, field, "%s", msg);
    }
    const char *nul = memchr(req->model_id, '\0', sizeof(req->model_id));
    size_t id_len = nul ? (size_t)(nul - req->model_id) : sizeof(req->model_id);
    if (m->model_id && id_len > 0 &&
        (id_len != m->model_id_len || memcmp(req->model_id, m->model_id, id_len) != 0)) {
        char manifest_id[sizeof(req->model_id)];
        size_t n = m->model_id_len < sizeof(manifest_id) ? m->model_id_len : sizeof(manifest_id) - 1;
        memcpy(manifest_id, m->model_id, n);
        manifest_id[n] = '\0';
        return refuse(s, GS_ERR_INVALID_ARG, "model_begin.model_id", GS_MSG_MODEL_ID_MISMATCH, req->model_id,
                      manifest_id);
    }
    if (m->model_id && m->model_id_len >= sizeof(s->xfer.model_id)) {
        return refuse(s, GS_ERR_INVALID_ARG, "manifest.modelId", GS_MSG_MODEL_ID_TOO_LONG,
                      (unsigned)(sizeof(s->xfer.model_id) - 1));
    }
    size_t dev_len = strlen(s->device_id);
    if (m->scope_len > 0 && (m->scope_len != dev_len || memcmp(m->scope, s->device_id, dev_len) != 0)) {
        char scope[sizeof(s->device_id)];
        size_t n = m->scope_len < sizeof(scope) ? m->scope_len : sizeof(scope) - 1;
        memcpy(scope, m->scope, n);
        scope[n] = '\0';
        return refuse(s, GS_ERR_INVALID_ARG, "manifest.scope", GS_MSG_MODEL_SCOPE, scope, s->device_id);
    }
    if (!m->downgrade && m->version < s->meta.highest_version) {
        return refuse(s, GS_ERR_VERSION, "manifest.version",
                      GS_MSG_MODEL_VERSION,
                      (unsigned long)m->version, (unsigned long)s->meta.highest_version);
    }
    return GS_OK;
}

/* The transfer takes the request's manifest, signature and identity (a resume may bring newer ones). */
static void take_begin(transfer_t *x, const gyrosentinel_v1_ModelBegin *req, const gs_manifest_deploy_t *m)
{
    memset(x->model_id, 0, sizeof(x->model_id));
    if (req->model_id[0] != '\0' || !m->model_id) {
        memcpy(x->model_id, req->model_id, sizeof(x->model_id));
        x->model_id[sizeof(x->model_id) - 1] = '\0';
    } else {
        memcpy(x->model_id, m->model_id, m->model_id_len); /* length checked in check_begin */
    }
    x->version = m->version;
    x->downgrade = m->downgrade;
    x->manifest = req->manifest;
    x->signature = req->signature;
}

gs_err_t gs_model_store_begin(gs_model_store_handle_t s, const gyrosentinel_v1_ModelBegin *req,
                              uint32_t *next_offset)
{
    if (!s || !req || !next_offset) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    /* A refused ModelBegin leaves the slots, the metadata and a pending transfer as they were. */
    gs_manifest_deploy_t m; /* slices into req->manifest, used before this call returns */
    gs_err_t err = check_begin(s, req, &m);
    if (err != GS_OK) {
        return err;
    }
    transfer_t *x = &s->xfer;
    if (x->receiving && x->size == req->size && memcmp(x->sha256, req->sha256, 32) == 0) {
        take_begin(x, req, &m);
        *next_offset = x->next_offset; /* resume */
        return GS_OK;
    }
    memset(x, 0, sizeof(*x));
    x->slot = target_slot(s);
    x->size = req->size;
    memcpy(x->sha256, req->sha256, 32);
    take_begin(x, req, &m);
    /* The target slot stops being a valid model the moment it is erased. */
    invalidate(s, x->slot);
    if (s->meta.previous == (int32_t)x->slot) {
        s->meta.previous = -1;
    }
    if (save_meta(s) != GS_OK ||
        s->cfg.storage.ops->erase(s->cfg.storage.ctx, x->slot, x->size) != GS_OK) {
        return refuse(s, GS_ERR_STORAGE, NULL, "cannot save the metadata or erase slot %lu",
                      (unsigned long)x->slot);
    }
    x->receiving = true;
    *next_offset = 0;
    return GS_OK;
}

gs_err_t gs_model_store_chunk(gs_model_store_handle_t s, const gyrosentinel_v1_ModelChunk *req)
{
    if (!s || !req) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    transfer_t *x = &s->xfer;
    if (!x->receiving) {
        return refuse(s, GS_ERR_INVALID_STATE, "model_chunk.offset", GS_MSG_MODEL_NO_TRANSFER);
    }
    if (req->offset != x->next_offset) {
        return refuse(s, GS_ERR_OFFSET_MISMATCH, "model_chunk.offset", GS_MSG_CHUNK_OFFSET,
                      (unsigned long)req->offset, (unsigned long)x->next_offset);
    }
    if (req->data.size == 0) {
        return refuse(s, GS_ERR_INVALID_ARG, "model_chunk.data", GS_MSG_CHUNK_EMPTY);
    }
    if ((uint64_t)req->offset + req->data.size > x->size) {
        return refuse(s, GS_ERR_TOO_LARGE, "model_chunk.data", GS_MSG_CHUNK_PAST_END,
                      (unsigned long)((uint64_t)req->offset + req->data.size), (unsigned long)x->size);
    }
    if (gs_crc32_update(0, req->data.bytes, req->data.size) != req->crc32) {
        return refuse(s, GS_ERR_CRC_MISMATCH, "model_chunk.crc32", GS_MSG_CHUNK_CRC, (unsigned long)req->offset);
    }
    if (s->cfg.storage.ops->write(s->cfg.storage.ctx, x->slot, req->offset, req->data.bytes,
                                  req->data.size) != GS_OK) {
        return GS_ERR_STORAGE;
    }
    x->next_offset += req->data.size;
    return GS_OK;
}

static gs_err_t hash_slot(struct gs_model_store *s, uint32_t slot, uint32_t size, uint8_t out[32])
{
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    gs_err_t err = GS_SHA_START(&sha) ? GS_ERR_STORAGE : GS_OK;
    for (uint32_t off = 0; err == GS_OK && off < size; off += READ_CHUNK) {
        size_t n = size - off < READ_CHUNK ? size - off : READ_CHUNK;
        if (s->cfg.storage.ops->read(s->cfg.storage.ctx, slot, off, s->buf, n) != GS_OK ||
            GS_SHA_UPDATE(&sha, s->buf, n)) {
            err = GS_ERR_STORAGE;
        }
    }
    if (err == GS_OK && GS_SHA_FINISH(&sha, out)) {
        err = GS_ERR_STORAGE;
    }
    mbedtls_sha256_free(&sha);
    return err;
}

gs_err_t gs_model_store_commit(gs_model_store_handle_t s, bool activate)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    transfer_t *x = &s->xfer;
    if (!x->receiving) {
        return refuse(s, GS_ERR_INVALID_STATE, NULL, GS_MSG_MODEL_NO_TRANSFER);
    }
    if (x->next_offset != x->size) {
        return refuse(s, GS_ERR_OFFSET_MISMATCH, "model_chunk.offset", GS_MSG_COMMIT_INCOMPLETE,
                      (unsigned long)x->next_offset, (unsigned long)x->size);
    }
    /* Hash what storage really holds, not what went past in RAM. */
    uint8_t digest[32];
    gs_err_t err = hash_slot(s, x->slot, x->size, digest);
    if (err != GS_OK) {
        return err;
    }
    if (memcmp(digest, x->sha256, 32) != 0) {
        x->receiving = false;
        return refuse(s, GS_ERR_HASH_MISMATCH, "model_begin.sha256", GS_MSG_HASH_MISMATCH);
    }
    if ((err = verify_signature(s, &x->manifest, &x->signature, digest)) != GS_OK) {
        x->receiving = false;
        return err;
    }
    slot_meta_t *m = &s->meta.slots[x->slot];
    m->valid = 1;
    m->size = x->size;
    memcpy(m->sha256, digest, 32);
    memcpy(m->model_id, x->model_id, sizeof(m->model_id));
    /* Anti-rollback: the counter moves when a model is accepted, in the same record write. A
     * downgrade bundle resets it to its own version: from then on that version and higher ones are
     * accepted (the one it went back from too), lower ones are not. */
    if (x->downgrade || x->version > s->meta.highest_version) {
        s->meta.highest_version = x->version;
    }
    if (activate) {
        s->meta.previous = s->meta.active;
        s->meta.active = (int32_t)x->slot;
    }
    if (save_meta(s) != GS_OK) {
        return GS_ERR_STORAGE;
    }
    x->receiving = false;
    x->committed = true;
    return GS_OK;
}

gs_err_t gs_model_store_abort(gs_model_store_handle_t s)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    memset(&s->xfer, 0, sizeof(s->xfer));
    return GS_OK;
}

gs_err_t gs_model_store_activate(gs_model_store_handle_t s, uint32_t slot)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    if (slot >= GS_MODEL_SLOTS) {
        return refuse(s, GS_ERR_INVALID_ARG, "model_activate.slot", GS_MSG_ACTIVATE_SLOT);
    }
    if (!s->meta.slots[slot].valid || (s->xfer.receiving && s->xfer.slot == slot)) {
        return refuse(s, GS_ERR_NO_MODEL, "model_activate.slot", GS_MSG_SLOT_EMPTY, (unsigned)slot);
    }
    if (s->meta.active != (int32_t)slot) {
        s->meta.previous = s->meta.active;
        s->meta.active = (int32_t)slot;
    }
    return save_meta(s);
}

gs_err_t gs_model_store_rollback(gs_model_store_handle_t s)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    int32_t p = s->meta.previous;
    if (p < 0 || !s->meta.slots[p].valid) {
        return refuse(s, GS_ERR_NO_MODEL, NULL, GS_MSG_ROLLBACK_NONE);
    }
    s->meta.previous = s->meta.active;
    s->meta.active = p;
    return save_meta(s);
}

gs_err_t gs_model_store_report_load(gs_model_store_handle_t s, bool ok)
{
    if (!s) {
        return GS_ERR_INVALID_ARG;
    }
    s->err_msg[0] = '\0';
    if (ok || s->meta.active < 0) {
        return GS_OK;
    }
    /* The active model does not load: it is unusable, fall back to the previous one. */
    invalidate(s, (uint32_t)s->meta.active);
    fall_back(s);
    gs_err_t err = save_meta(s);
    return err != GS_OK ? err : (s->meta.active < 0 ? GS_ERR_NO_MODEL : GS_OK);
}

gs_err_t gs_model_store_active_model(gs_model_store_handle_t s, uint32_t *slot, uint32_t *size)
{
    if (!s || !slot || !size) {
        return GS_ERR_INVALID_ARG;
    }
    int32_t a = s->meta.active;
    if (a < 0 || !s->meta.slots[a].valid) {
        return GS_ERR_NO_MODEL;
    }
    *slot = (uint32_t)a;
    *size = s->meta.slots[a].size;
    return GS_OK;
}

gs_err_t gs_model_store_read(gs_model_store_handle_t s, uint32_t slot, uint32_t offset,
                             uint8_t *data, size_t len)
{
    if (!s || slot >= GS_MODEL_SLOTS || (!data && len)) {
        return GS_ERR_INVALID_ARG;
    }
    const slot_meta_t *m = &s->meta.slots[slot];
    if (!m->valid) {
        return GS_ERR_NO_MODEL;
    }
    if ((uint64_t)offset + len > m->size) {
        return GS_ERR_INVALID_ARG;
    }
    return s->cfg.storage.ops->read(s->cfg.storage.ctx, slot, offset, data, len) == GS_OK
               ? GS_OK : GS_ERR_STORAGE;
}

gs_err_t gs_model_store_map(gs_model_store_handle_t s, uint32_t slot, const uint8_t **data)
{
    if (!s || slot >= GS_MODEL_SLOTS || !data) {
        return GS_ERR_INVALID_ARG;
    }
    const slot_meta_t *m = &s->meta.slots[slot];
    if (!m->valid) {
        return GS_ERR_NO_MODEL;
    }
    if (!s->cfg.storage.ops->map) {
        return GS_ERR_UNSUPPORTED;
    }
    return s->cfg.storage.ops->map(s->cfg.storage.ctx, slot, m->size, data);
}

gs_err_t gs_model_store_save_calibration(gs_model_store_handle_t s, uint32_t slot,
                                         const gs_model_calibration_t *cal)
{
    if (!s || !cal || slot >= GS_MODEL_SLOTS || cal->channels == 0 ||
        cal->channels > GS_MODEL_CAL_MAX_CHANNELS) {
        return GS_ERR_INVALID_ARG;
    }
    if (!s->meta.slots[slot].valid) {
        return GS_ERR_NO_MODEL;
    }
    s->meta.cal_slot = (int32_t)slot;
    s->meta.cal = *cal;
    return save_meta(s);
}

gs_err_t gs_model_store_calibration(gs_model_store_handle_t s, uint32_t slot, gs_model_calibration_t *out)
{
    if (!s || !out || slot >= GS_MODEL_SLOTS) {
        return GS_ERR_INVALID_ARG;
    }
    if (s->meta.cal_slot != (int32_t)slot || !s->meta.slots[slot].valid) {
        return GS_ERR_EMPTY;
    }
    *out = s->meta.cal;
    return GS_OK;
}

int32_t gs_model_store_active_slot(gs_model_store_handle_t s)
{
    return s ? s->meta.active : -1;
}

void gs_model_store_status(gs_model_store_handle_t s, gyrosentinel_v1_ModelStatus *out)
{
    if (!s || !out) {
        return;
    }
    memset(out, 0, sizeof(*out));
    out->transfer_state = s->xfer.receiving ? gyrosentinel_v1_ModelStatus_TransferState_RECEIVING
                          : s->xfer.committed ? gyrosentinel_v1_ModelStatus_TransferState_COMMITTED
                                              : gyrosentinel_v1_ModelStatus_TransferState_IDLE;
    out->next_offset = s->xfer.receiving ? s->xfer.next_offset : 0;
    out->active_slot = s->meta.active;
    out->slots_count = GS_MODEL_SLOTS;
    for (uint32_t i = 0; i < GS_MODEL_SLOTS; i++) {
        gyrosentinel_v1_ModelSlot *o = &out->slots[i];
        const slot_meta_t *m = &s->meta.slots[i];
        o->slot = i;
        o->active = s->meta.active == (int32_t)i;
        o->valid = m->valid;
        if (m->valid) {
            o->size = m->size;
            memcpy(o->sha256, m->sha256, 32);
            memcpy(o->model_id, m->model_id, sizeof(o->model_id));
        }
    }
}
