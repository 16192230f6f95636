/*
 * gs_tflm_run: runs a packaged model the way the firmware does, on the host, in the real TensorFlow
 * Lite Micro (the pinned esp-tflite-micro sources with reference kernels) through the component's own
 * TFLM backend and op resolver (src/gs_model_tflm.cc) and the C core's model store and runtime.
 *
 *   gs_tflm_run --payload P.bin [--windows W.f32 --out R.f32] [--samples S.i16 --axes MASK --scale DPS
 *               --scores O.f32]
 *
 *   --payload   the bundle payload as the device stores it (ModelBundle.payload() in Java): transferred
 *               into a file-backed model store (chunks with CRC, SHA-256 check, commit, activate), then
 *               loaded by gs_model_runtime_reload() into the TFLM backend
 *   --windows   normalised windows, window x channels float32 each (little endian, sample-major):
 *               each is run through the loaded backend and its output written to --out (the
 *               reconstruction, or the channel scores of a model whose manifest says so)
 *   --samples   raw int16 samples, 3 axes each (x y z): fed one by one to gs_model_runtime_add() with
 *               the given axes mask and scale (dps per LSB); the score of each window the runtime
 *               produces (every stride) is written to --scores as float32
 *
 * Prints one JSON object on stdout: {"loaded":true,"modelId":...,"arenaUsed":...,"arenaRequired":...,
 * "arenaSize":...,
 * "inputBytes":...,"operators":...,"windows":N,"scores":M}, or {"loaded":false,"error":NAME,
 * "reason":...} with exit status 3 when the model does not load. Exit 2: bad arguments or files.
 * Used by the CTest conformance test and by sdk-training (the packager's TFLite Micro check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs_tflm_harness.h"

static void usage(const char *why)
{
    fprintf(stderr, "gs_tflm_run: %s\nusage: gs_tflm_run --payload P.bin [--windows W.f32 --out R.f32] "
                    "[--samples S.i16 --axes MASK --scale DPS --scores O.f32]\n", why);
    exit(2);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gs_tflm_run: cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 1u << 16, n = 0, r;
    uint8_t *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            uint8_t *nb = realloc(b, cap);
            if (!nb) {
                free(b);
            }
            b = nb;
        }
    }
    fclose(f);
    if (!b) {
        fprintf(stderr, "gs_tflm_run: out of memory reading %s\n", path);
        exit(2);
    }
    *len = n;
    return b;
}

static FILE *create(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gs_tflm_run: cannot create %s\n", path);
        exit(2);
    }
    return f;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static int run_windows(gs_tflm_harness_t *h, const char *in_path, const char *out_path, size_t *windows)
{
    const gs_manifest_t *m = gs_tflm_harness_manifest(h);
    const size_t vals = (size_t)m->window * m->channels;
    /* a reconstruction, or (manifest "output": "channel_scores") one score per channel */
    const size_t outs = m->output == GS_MODEL_OUTPUT_CHANNEL_SCORES ? (size_t)m->channels : vals;
    size_t len;
    float *in = (float *)read_file(in_path, &len);
    if (len % (vals * sizeof(float)) != 0) {
        fprintf(stderr, "gs_tflm_run: %s holds %zu bytes, not a whole number of %zu-value windows\n", in_path, len,
                vals);
        free(in);
        return 2;
    }
    float *y = malloc(vals * sizeof(float));
    FILE *f = create(out_path);
    int status = y ? 0 : 2;
    *windows = len / (vals * sizeof(float));
    for (size_t w = 0; w < *windows && status == 0; w++) {
        gs_err_t err = gs_tflm_harness_run(h, in + w * vals, y);
        if (err != GS_OK) {
            fprintf(stderr, "gs_tflm_run: invoke failed on window %zu: %s\n", w, gs_err_to_name(err));
            status = 2;
        } else if (fwrite(y, sizeof(float), outs, f) != outs) {
            status = 2;
        }
    }
    if (fclose(f) != 0) {
        status = 2;
    }
    free(y);
    free(in);
    return status;
}

static int run_samples(gs_tflm_harness_t *h, const char *in_path, const char *out_path, uint32_t axes, float scale,
                       size_t *scores)
{
    gs_model_runtime_handle_t rt = gs_tflm_harness_runtime(h);
    size_t len;
    int16_t *s = (int16_t *)read_file(in_path, &len);
    const size_t count = len / (3 * sizeof(int16_t));
    gs_err_t err = gs_model_runtime_start(rt, axes, scale);
    if (err != GS_OK) {
        fprintf(stderr, "gs_tflm_run: cannot start scoring (axes 0x%x): %s\n", (unsigned)axes, gs_err_to_name(err));
        free(s);
        return 2;
    }
    FILE *f = create(out_path);
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        gs_sample_t smp = {.timestamp_us = (uint64_t)i * 1000u, .xyz = {s[3 * i], s[3 * i + 1], s[3 * i + 2]}};
        gs_scoring_output_t o;
        err = gs_model_runtime_add(rt, &smp, &o);
        if (err != GS_OK) {
            fprintf(stderr, "gs_tflm_run: scoring failed at sample %zu: %s\n", i, gs_err_to_name(err));
            status = 2;
        } else if (o.has_result) {
            float score = o.result.score;
            status = fwrite(&score, sizeof score, 1, f) == 1 ? 0 : 2;
            (*scores)++;
        }
    }
    gs_model_runtime_stop(rt);
    if (fclose(f) != 0) {
        status = 2;
    }
    free(s);
    return status;
}

int main(int argc, char **argv)
{
    const char *payload_path = NULL, *windows_path = NULL, *out_path = NULL, *samples_path = NULL,
               *scores_path = NULL;
    uint32_t axes = 7;
    float scale = 1.0f;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            usage("every option takes a value");
        }
        const char *v = argv[i + 1];
        if (!strcmp(a, "--payload")) {
            payload_path = v;
        } else if (!strcmp(a, "--windows")) {
            windows_path = v;
        } else if (!strcmp(a, "--out")) {
            out_path = v;
        } else if (!strcmp(a, "--samples")) {
            samples_path = v;
        } else if (!strcmp(a, "--scores")) {
            scores_path = v;
        } else if (!strcmp(a, "--axes")) {
            axes = (uint32_t)strtoul(v, NULL, 0);
        } else if (!strcmp(a, "--scale")) {
            scale = strtof(v, NULL);
        } else {
            usage("unknown option");
        }
    }
    if (!payload_path || (!windows_path != !out_path) || (!samples_path != !scores_path)) {
        usage("--payload is required; --windows goes with --out, --samples with --scores");
    }
    size_t n;
    uint8_t *p = read_file(payload_path, &n);
    gs_tflm_harness_t *h = NULL;
    gs_err_t err = gs_tflm_harness_create(&h);
    if (err != GS_OK) {
        fprintf(stderr, "gs_tflm_run: cannot set up the model store/runtime: %s\n", gs_err_to_name(err));
        free(p);
        return 2;
    }
    int status = 0;
    err = gs_tflm_harness_load(h, p, n);
    free(p);
    gs_model_tflm_info_t info;
    (void)gs_model_tflm_info(&info);
    if (err != GS_OK) {
        printf("{\"loaded\":false,\"error\":");
        json_string(gs_err_to_name(err));
        printf(",\"reason\":");
        json_string(info.failure[0] ? info.failure : "the model store refused the payload");
        printf(",\"arenaSize\":%zu}\n", info.arena_size);
        gs_tflm_harness_destroy(h);
        return 3;
    }
    size_t windows = 0, scores = 0, required = 0;
    err = gs_tflm_harness_min_arena(h, &required);
    if (err != GS_OK) {
        fprintf(stderr, "gs_tflm_run: measuring the smallest arena failed: %s\n", gs_err_to_name(err));
        gs_tflm_harness_destroy(h);
        return 2;
    }
    if (windows_path) {
        status = run_windows(h, windows_path, out_path, &windows);
    }
    if (samples_path && status == 0) {
        status = run_samples(h, samples_path, scores_path, axes, scale, &scores);
    }
    if (status == 0) {
        const gs_manifest_t *m = gs_tflm_harness_manifest(h);
        printf("{\"loaded\":true,\"modelId\":");
        json_string(m->model_id);
        printf(",\"arenaUsed\":%zu,\"arenaRequired\":%zu,\"arenaSize\":%zu,\"inputBytes\":%u,\"operators\":%u,"
               "\"window\":%u,\"channels\":%u,\"windows\":%zu,\"scores\":%zu}\n",
               info.arena_used, required, info.arena_size, (unsigned)info.input_bytes, (unsigned)info.operators,
               (unsigned)m->window, (unsigned)m->channels, windows, scores);
    }
    gs_tflm_harness_destroy(h);
    return status;
}
