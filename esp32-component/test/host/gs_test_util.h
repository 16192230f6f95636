/* Small helpers shared by the host tests (header-only to keep each test one file). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deterministic xorshift64*: tests must be reproducible from their seed. */
static inline uint64_t gs_test_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Reads a whole file into a malloc'd buffer (tests only); NULL if missing. */
static inline uint8_t *gs_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* A growing buffer for hand-built protobuf payloads (bundles, reference weights) in tests. */
typedef struct {
    uint8_t b[8192];
    size_t n;
} gs_test_buf_t;

static inline void gs_test_put_varint(gs_test_buf_t *o, uint64_t v)
{
    do {
        uint8_t byte = (uint8_t)(v & 0x7Fu);
        v >>= 7;
        o->b[o->n++] = (uint8_t)(byte | (v ? 0x80u : 0u));
    } while (v);
}

/* A length-delimited field (wire type 2). */
static inline void gs_test_put_bytes(gs_test_buf_t *o, uint32_t field, const void *data, size_t len)
{
    gs_test_put_varint(o, (uint64_t)field << 3 | 2u);
    gs_test_put_varint(o, len);
    memcpy(&o->b[o->n], data, len);
    o->n += len;
}

static inline void gs_test_put_u32(gs_test_buf_t *o, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        o->b[o->n++] = (uint8_t)(v >> (8 * i));
    }
}

static inline void gs_test_put_f32(gs_test_buf_t *o, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    gs_test_put_u32(o, v);
}

/* A bundle payload (bundle.proto BundlePayload, format 1) with `model_id`, `manifest`, a
 * placeholder "model.tflite" part and, when `ref` is given, the reference backend's weights as
 * the part `ref_name` (GS_REFERENCE_PART). */
static inline void gs_test_bundle_payload(gs_test_buf_t *o, const char *model_id, const char *manifest,
                                          const char *ref_name, const gs_test_buf_t *ref)
{
    memset(o, 0, sizeof(*o));
    gs_test_put_varint(o, 1u << 3);
    gs_test_put_varint(o, 1);
    gs_test_put_bytes(o, 2, model_id, strlen(model_id));
    gs_test_put_bytes(o, 3, manifest, strlen(manifest));
    static gs_test_buf_t part;
    part.n = 0;
    gs_test_put_bytes(&part, 1, "model.tflite", 12);
    gs_test_put_bytes(&part, 2, "TFL3", 4);
    gs_test_put_bytes(o, 4, part.b, part.n);
    if (ref) {
        part.n = 0;
        gs_test_put_bytes(&part, 1, ref_name, strlen(ref_name));
        gs_test_put_bytes(&part, 2, ref->b, ref->n);
        gs_test_put_bytes(o, 4, part.b, part.n);
    }
}

#ifdef GS_TEST_WITH_MBEDTLS
/* ------------------------------------------------------------------ model transfers (need mbedTLS)
 * For the tests that CMake builds with GS_TEST_WITH_MBEDTLS (mbedTLS include directory). */
#include <stdbool.h>
#include "gs_bundle.h"
#include "gs_crc32.h"
#include "gs_model_store.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecp.h"
#include "mbedtls/pk.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

static inline void gs_test_sha256(const void *data, size_t len, uint8_t out[32])
{
#if MBEDTLS_VERSION_MAJOR >= 3
    mbedtls_sha256(data, len, out, 0);
#else
    mbedtls_sha256_ret(data, len, out, 0);
#endif
}

/* An ECDSA P-256 key pair made in the test, from fixed "entropy" (`seed` picks one of several
 * keys), so keys and signatures are the same on every run. */
typedef struct {
    mbedtls_pk_context key;
    mbedtls_ctr_drbg_context drbg;
    unsigned seed;
    uint8_t pub[200]; /* SubjectPublicKeyInfo DER, what gs_model_store_config_t.public_key takes */
    size_t pub_len;
} gs_test_signer_t;

static inline int gs_test_fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    unsigned seed = *(const unsigned *)ctx;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char)(i * 31 + 7 + seed * 101);
    }
    return 0;
}

/* 0 on success. */
static inline int gs_test_signer_init(gs_test_signer_t *s, unsigned seed)
{
    memset(s, 0, sizeof(*s));
    s->seed = seed;
    mbedtls_pk_init(&s->key);
    mbedtls_ctr_drbg_init(&s->drbg);
    uint8_t der[200];
    int n;
    if (mbedtls_ctr_drbg_seed(&s->drbg, gs_test_fixed_entropy, &s->seed, NULL, 0) ||
        mbedtls_pk_setup(&s->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(s->key), mbedtls_ctr_drbg_random,
                            &s->drbg) ||
        (n = mbedtls_pk_write_pubkey_der(&s->key, der, sizeof(der))) <= 0) {
        return -1;
    }
    memcpy(s->pub, der + sizeof(der) - (size_t)n, (size_t)n); /* written at the end */
    s->pub_len = (size_t)n;
    return 0;
}

static inline void gs_test_signer_free(gs_test_signer_t *s)
{
    mbedtls_pk_free(&s->key);
    mbedtls_ctr_drbg_free(&s->drbg);
}

/* Signs `b` as the packager does: ECDSA over SHA-256(manifest || sha256). 0 on success. */
static inline int gs_test_sign_begin(gs_test_signer_t *s, gyrosentinel_v1_ModelBegin *b)
{
    static uint8_t msg[sizeof(b->manifest.bytes) + 32];
    memcpy(msg, b->manifest.bytes, b->manifest.size);
    memcpy(msg + b->manifest.size, b->sha256, 32);
    uint8_t digest[32];
    gs_test_sha256(msg, b->manifest.size + 32u, digest);
    size_t sig_len = 0;
#if MBEDTLS_VERSION_MAJOR >= 3
    int rc = mbedtls_pk_sign(&s->key, MBEDTLS_MD_SHA256, digest, 32, b->signature.bytes,
                             sizeof(b->signature.bytes), &sig_len, mbedtls_ctr_drbg_random, &s->drbg);
#else
    int rc = mbedtls_pk_sign(&s->key, MBEDTLS_MD_SHA256, digest, 32, b->signature.bytes, &sig_len,
                             mbedtls_ctr_drbg_random, &s->drbg);
#endif
    if (rc || sig_len > sizeof(b->signature.bytes)) {
        return -1;
    }
    b->signature.size = (pb_size_t)sig_len;
    return 0;
}

/* The ModelBegin a host sends for `payload`: size, SHA-256, and the manifest and model id the
 * bundle carries. A payload that is not a bundle gets the manifest "{}" and `fallback_id`. */
static inline void gs_test_begin_for_payload(gyrosentinel_v1_ModelBegin *b, const uint8_t *payload, size_t len,
                                             const char *fallback_id)
{
    memset(b, 0, sizeof(*b));
    b->size = (uint32_t)len;
    gs_test_sha256(payload, len, b->sha256);
    gs_bundle_t bundle;
    if (gs_bundle_parse(payload, len, &bundle) == GS_OK && bundle.manifest_len <= sizeof(b->manifest.bytes) &&
        bundle.model_id_len < sizeof(b->model_id)) {
        memcpy(b->manifest.bytes, bundle.manifest, bundle.manifest_len);
        b->manifest.size = (pb_size_t)bundle.manifest_len;
        memcpy(b->model_id, bundle.model_id, bundle.model_id_len);
    } else {
        memcpy(b->manifest.bytes, "{}", 2);
        b->manifest.size = 2;
        snprintf(b->model_id, sizeof(b->model_id), "%s", fallback_id);
    }
}

/* ModelBegin `b`, the chunks of `payload` (`chunk` bytes each) from the store's next_offset on, and
 * ModelCommit: the first error, or GS_OK. */
static inline gs_err_t gs_test_store_transfer(gs_model_store_handle_t store, const gyrosentinel_v1_ModelBegin *b,
                                              const uint8_t *payload, uint32_t chunk, bool activate)
{
    uint32_t next = 0;
    gs_err_t err = gs_model_store_begin(store, b, &next);
    static gyrosentinel_v1_ModelChunk c;
    for (uint32_t off = next; err == GS_OK && off < b->size; off += chunk) {
        memset(&c, 0, sizeof(c));
        c.offset = off;
        c.data.size = (pb_size_t)(b->size - off < chunk ? b->size - off : chunk);
        memcpy(c.data.bytes, payload + off, c.data.size);
        c.crc32 = gs_crc32_update(0, c.data.bytes, c.data.size);
        err = gs_model_store_chunk(store, &c);
    }
    return err == GS_OK ? gs_model_store_commit(store, activate) : err;
}
#endif /* GS_TEST_WITH_MBEDTLS */
