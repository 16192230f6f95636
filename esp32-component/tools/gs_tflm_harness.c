#include "gs_tflm_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gs_bundle.h"
#include "gs_crc32.h"
#include "gs_model_store.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

/* Slots and the read buffer hold the largest payload the tool accepts (a window-256 model is ~1 MB). */
#define GS_HARNESS_SLOT (2u * 1024u * 1024u)
#define GS_HARNESS_CHUNK 1024u

struct gs_tflm_harness {
    char dir[32];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    gs_model_runtime_handle_t rt;
    gs_model_backend_t backend;
    uint8_t *buf; /* the runtime's payload buffer: 16-byte aligned, models run in place from it */
};

gs_err_t gs_tflm_harness_create(gs_tflm_harness_t **out)
{
    gs_tflm_harness_t *h = calloc(1, sizeof *h);
    if (!h) {
        return GS_ERR_NO_MEM;
    }
    snprintf(h->dir, sizeof h->dir, "/tmp/gs_tflm_XXXXXX");
    h->buf = aligned_alloc(16, GS_HARNESS_SLOT);
    if (!h->buf || !mkdtemp(h->dir)) {
        free(h->buf);
        free(h);
        return GS_ERR_IO;
    }
    gs_err_t err = gs_storage_file_create(h->dir, GS_HARNESS_SLOT, &h->storage);
    gs_model_store_config_t sc = {.storage = h->storage};
    if (err == GS_OK) {
        err = gs_model_store_create(&sc, &h->store);
    }
    gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
    if (err == GS_OK) {
        err = gs_model_tflm_backend(NULL, &h->backend);
    }
    if (err == GS_OK) {
        rc.store = h->store;
        rc.backend = h->backend;
        rc.payload_buf = h->buf;
        rc.payload_cap = GS_HARNESS_SLOT;
        err = gs_model_runtime_create(&rc, &h->rt);
    }
    if (err != GS_OK) {
        gs_tflm_harness_destroy(h);
        return err;
    }
    *out = h;
    return GS_OK;
}

void gs_tflm_harness_destroy(gs_tflm_harness_t *h)
{
    if (!h) {
        return;
    }
    if (h->rt) {
        gs_model_runtime_destroy(h->rt);
    }
    if (h->store) {
        gs_model_store_destroy(h->store);
    }
    if (h->storage.ops) {
        gs_storage_file_destroy(&h->storage);
    }
    static const char *const files[] = {"slot0.bin", "slot1.bin", "meta.bin", "meta.bin.tmp"};
    char path[64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", h->dir, files[i]);
        (void)unlink(path);
    }
    (void)rmdir(h->dir);
    free(h->buf);
    free(h);
}

gs_err_t gs_tflm_harness_load(gs_tflm_harness_t *h, const uint8_t *p, size_t n)
{
    if (n > GS_HARNESS_SLOT) {
        return GS_ERR_INVALID_ARG;
    }
    gs_bundle_t b;
    gs_err_t err = gs_bundle_parse(p, n, &b);
    if (err != GS_OK) {
        return err;
    }
    static gyrosentinel_v1_ModelBegin begin;
    memset(&begin, 0, sizeof begin);
    begin.size = (uint32_t)n;
#if MBEDTLS_VERSION_MAJOR >= 3
    mbedtls_sha256(p, n, begin.sha256, 0);
#else
    mbedtls_sha256_ret(p, n, begin.sha256, 0);
#endif
    size_t id_len = b.model_id_len < sizeof begin.model_id - 1 ? b.model_id_len : sizeof begin.model_id - 1;
    memcpy(begin.model_id, b.model_id, id_len);
    /* ModelBegin carries the bundle's manifest, as a host sends it (the store checks it at begin). */
    if (b.manifest_len > sizeof begin.manifest.bytes) {
        return GS_ERR_TOO_LARGE;
    }
    memcpy(begin.manifest.bytes, b.manifest, b.manifest_len);
    begin.manifest.size = (pb_size_t)b.manifest_len;
    uint32_t next = 0;
    err = gs_model_store_begin(h->store, &begin, &next);
    static gyrosentinel_v1_ModelChunk c;
    for (size_t off = 0; err == GS_OK && off < n; off += GS_HARNESS_CHUNK) {
        memset(&c, 0, sizeof c);
        c.offset = (uint32_t)off;
        c.data.size = (pb_size_t)(n - off < GS_HARNESS_CHUNK ? n - off : GS_HARNESS_CHUNK);
        memcpy(c.data.bytes, p + off, c.data.size);
        c.crc32 = gs_crc32_update(0, c.data.bytes, c.data.size);
        err = gs_model_store_chunk(h->store, &c);
    }
    if (err == GS_OK) {
        err = gs_model_store_commit(h->store, true);
    }
    return err == GS_OK ? gs_model_runtime_reload(h->rt) : err;
}

const gs_manifest_t *gs_tflm_harness_manifest(gs_tflm_harness_t *h)
{
    return gs_model_runtime_manifest(h->rt);
}

gs_err_t gs_tflm_harness_run(gs_tflm_harness_t *h, const float *in, float *out)
{
    const gs_manifest_t *m = gs_model_runtime_manifest(h->rt);
    if (!m) {
        return GS_ERR_NO_MODEL;
    }
    return h->backend.ops->run(h->backend.ctx, in, out, m->window, m->channels);
}

/* Loads the active slot's bundle (read into h->buf by the runtime) into the backend with an arena limit. */
static gs_err_t load_with_limit(gs_tflm_harness_t *h, const gs_bundle_t *b, const gs_manifest_t *m, size_t limit)
{
    gs_model_tflm_config_t c = {.arena_limit = limit};
    gs_err_t err = gs_model_tflm_backend(&c, &h->backend);
    return err == GS_OK ? h->backend.ops->load(h->backend.ctx, b, m) : err;
}

gs_err_t gs_tflm_harness_min_arena(gs_tflm_harness_t *h, size_t *out)
{
    const gs_manifest_t *loaded = gs_model_runtime_manifest(h->rt);
    uint32_t slot, size;
    if (!loaded || gs_model_store_active_model(h->store, &slot, &size) != GS_OK) {
        return GS_ERR_NO_MODEL;
    }
    gs_manifest_t m = *loaded;
    gs_bundle_t b;
    /* The runtime read the payload into h->buf (file storage cannot be mapped); parts are slices of it. */
    gs_err_t err = gs_bundle_parse(h->buf, size, &b);
    gs_model_tflm_info_t info;
    if (err == GS_OK) {
        err = gs_model_tflm_info(&info);
    }
    if (err != GS_OK) {
        return err;
    }
    size_t lo = info.arena_used, hi = info.arena_size; /* loads at hi; lo - 16 cannot (used would not fit) */
    if (load_with_limit(h, &b, &m, lo) == GS_OK) {
        hi = lo;
    }
    while (hi - lo > 16) {
        size_t mid = lo + ((hi - lo) / 2 + 15) / 16 * 16; /* lo < mid < hi */
        if (load_with_limit(h, &b, &m, mid) == GS_OK) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    *out = hi;
    return load_with_limit(h, &b, &m, 0);
}

gs_model_runtime_handle_t gs_tflm_harness_runtime(gs_tflm_harness_t *h)
{
    return h->rt;
}
