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
