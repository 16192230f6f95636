/*
 * Conformance of packaged models with the firmware's TensorFlow Lite Micro: every model in
 * test/host/tflm (written by sdk-training's TflmConformanceTest from the real packager, one per
 * precision and model shape; see cases.txt) goes through the model store and the runtime into the
 * component's own TFLM backend and op resolver (src/gs_model_tflm.cc) on the pinned TFLite Micro,
 * then runs the fixture's windows. It must load in the firmware's default arena and match the Java
 * reference: float32 within 1e-5 relative; int16x8/int8 by the packager's gates (Spearman of the
 * window scores >= 0.99, ROC-AUC at most 0.01 below the reference's). The packager's arena estimate
 * must be within 5 % of arena_used_bytes(), and the smallest arena the model loads in (AllocateTensors
 * needs temporary space beyond that) must fit the firmware's default 64 KiB.
 *
 * Checked once that this test can fail (2026-12-04):
 *  - removing g_resolver.AddSplit() from gs_model_tflm.cc: every case fails to load with
 *    "op SPLIT is not in the firmware's op resolver";
 *  - the broken-layout case below (a manifest whose window does not match the graph) is refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gs_tflm_harness.h"

#ifndef GS_TFLM_FIXTURES
#error "GS_TFLM_FIXTURES must name the fixture folder"
#endif

#define MAX_CASES 16
/* The firmware's default arena (Kconfig GS_TFLM_ARENA_KB = 64); the host backend has Kconfig's largest. */
#define GS_TFLM_DEVICE_ARENA (64u * 1024u)

typedef struct {
    char name[64];
    char precision[16];
    long arena_estimate;
    char reference[64]; /* the Java reference's reconstruction of every window */
} tcase_t;

static tcase_t g_cases[MAX_CASES];
static int g_ncases;
static char g_windows_file[64];
static int g_nwindows, g_nnormal;

static uint8_t *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", GS_TFLM_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("missing fixture %s", path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void read_cases(void)
{
    size_t len;
    char *text = (char *)slurp("cases.txt", &len);
    text[len] = '\0';
    g_ncases = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            continue;
        }
        if (sscanf(line, "windows %63s %d %d", g_windows_file, &g_nwindows, &g_nnormal) == 3) {
            continue;
        }
        assert_true(g_ncases < MAX_CASES);
        tcase_t *c = &g_cases[g_ncases];
        if (sscanf(line, "case %63s %15s %ld %63s", c->name, c->precision, &c->arena_estimate, c->reference) == 4) {
            g_ncases++;
        }
    }
    free(text);
    assert_true(g_ncases >= 3);
    assert_true(g_nwindows > g_nnormal && g_nnormal > 1);
}

static double mse(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        s += d * d;
    }
    return s / (double)n;
}

/* Average ranks (ties share their mean rank), 1-based. */
static void ranks(const double *v, double *r, int n)
{
    for (int i = 0; i < n; i++) {
        double less = 0, equal = 0;
        for (int j = 0; j < n; j++) {
            less += v[j] < v[i];
            equal += v[j] == v[i];
        }
        r[i] = less + (equal + 1) / 2.0;
    }
}

static double spearman(const double *a, const double *b, int n)
{
    double *ra = malloc(sizeof(double) * (size_t)n), *rb = malloc(sizeof(double) * (size_t)n);
    ranks(a, ra, n);
    ranks(b, rb, n);
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        ma += ra[i] / n;
        mb += rb[i] / n;
    }
    for (int i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    free(ra);
    free(rb);
    return sab / sqrt(saa * sbb);
}

/* Windows [0, normal) are normal, the rest anomalous: P(score_anomalous > score_normal). */
static double roc_auc(const double *s, int n, int normal)
{
    double wins = 0;
    for (int i = normal; i < n; i++) {
        for (int j = 0; j < normal; j++) {
            wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
        }
    }
    return wins / ((double)(n - normal) * normal);
}

static void check_case(const tcase_t *c, const float *windows)
{
    char name[96];
    size_t plen, elen;
    snprintf(name, sizeof name, "%s.payload", c->name);
    uint8_t *payload = slurp(name, &plen);
    float *expected = (float *)slurp(c->reference, &elen);

    gs_tflm_harness_t *h;
    assert_int_equal(gs_tflm_harness_create(&h), GS_OK);
    gs_err_t err = gs_tflm_harness_load(h, payload, plen);
    gs_model_tflm_info_t info;
    (void)gs_model_tflm_info(&info);
    if (err != GS_OK) {
        fail_msg("%s: did not load in TFLite Micro: %s (%s)", c->name, gs_err_to_name(err), info.failure);
    }
    const gs_manifest_t *m = gs_tflm_harness_manifest(h);
    const size_t vals = (size_t)m->window * m->channels;
    assert_int_equal(elen, (size_t)g_nwindows * vals * sizeof(float));

    double *ref = malloc(sizeof(double) * (size_t)g_nwindows), *got = malloc(sizeof(double) * (size_t)g_nwindows);
    float *y = malloc(sizeof(float) * vals);
    double max_rel = 0;
    for (int w = 0; w < g_nwindows; w++) {
        const float *x = windows + (size_t)w * vals;
        const float *e = expected + (size_t)w * vals;
        assert_int_equal(gs_tflm_harness_run(h, x, y), GS_OK);
        for (size_t i = 0; i < vals; i++) {
            double d = fabs((double)y[i] - e[i]) / fmax(1.0, fabs((double)e[i]));
            max_rel = d > max_rel ? d : max_rel;
        }
        ref[w] = mse(e, x, vals);
        got[w] = mse(y, x, vals);
    }
    const double rho = spearman(got, ref, g_nwindows);
    const double auc = roc_auc(got, g_nwindows, g_nnormal);
    const double ref_auc = roc_auc(ref, g_nwindows, g_nnormal);
    const double arena_dev = fabs((double)c->arena_estimate - (double)info.arena_used) / (double)info.arena_used;
    printf("%-24s %-8s arena %6zu used (estimate %6ld, %+.1f %%) of %zu, %3u ops, max rel err %.2e, "
           "Spearman %.5f, ROC-AUC %.4f (reference %.4f)\n",
           c->name, c->precision, info.arena_used, c->arena_estimate,
           100.0 * ((double)c->arena_estimate - (double)info.arena_used) / (double)info.arena_used, info.arena_size,
           (unsigned)info.operators, max_rel, rho, auc, ref_auc);
    if (strcmp(c->precision, "float32") == 0) {
        if (max_rel > 1e-5) {
            fail_msg("%s: float32 in TFLite Micro deviates from the Java reference by %.3g (relative)", c->name,
                     max_rel);
        }
    } else if (rho < 0.99 || auc < ref_auc - 0.01) {
        fail_msg("%s: %s in TFLite Micro fails the packager's gates: Spearman %.4f, ROC-AUC %.4f vs %.4f", c->name,
                 c->precision, rho, auc, ref_auc);
    }
    size_t required = 0;
    assert_int_equal(gs_tflm_harness_min_arena(h, &required), GS_OK);
    assert_true(required >= info.arena_used);
    printf("%-24s loads in an arena of %zu bytes (arena_used_bytes %zu + %zu temporary)\n", c->name, required,
           info.arena_used, required - info.arena_used);
    if (required > GS_TFLM_DEVICE_ARENA) {
        fail_msg("%s: needs an arena of %zu bytes, the firmware's default is %u", c->name, required,
                 GS_TFLM_DEVICE_ARENA);
    }
    if (arena_dev > 0.05) {
        fail_msg("%s: the packager's arena estimate %ld is %.1f %% off TFLite Micro's %zu", c->name,
                 c->arena_estimate, 100 * arena_dev, info.arena_used);
    }
    free(y);
    free(ref);
    free(got);
    free(payload);
    free(expected);
    gs_tflm_harness_destroy(h);
}

static void every_packaged_model_loads_and_matches_the_java_reference(void **state)
{
    (void)state;
    read_cases();
    size_t wlen;
    float *windows = (float *)slurp(g_windows_file, &wlen);
    for (int i = 0; i < g_ncases; i++) {
        check_case(&g_cases[i], windows);
    }
    free(windows);
}

/* The same float32 model with a manifest that declares another window than the graph takes: the
 * backend refuses it at load (not at the first invoke), and the runtime has no model. */
static void a_model_whose_layout_does_not_match_its_manifest_is_refused(void **state)
{
    (void)state;
    read_cases();
    const tcase_t *c = NULL;
    for (int i = 0; i < g_ncases && !c; i++) {
        c = strcmp(g_cases[i].precision, "float32") == 0 ? &g_cases[i] : NULL;
    }
    assert_non_null(c);
    char name[96];
    size_t plen;
    snprintf(name, sizeof name, "%s.payload", c->name);
    uint8_t *payload = slurp(name, &plen);
    payload[plen] = '\0';
    /* "window":NN -> a window of a different length with as many digits: the payload keeps its size. */
    uint8_t *w = NULL;
    for (size_t i = 0; i + 9 < plen && !w; i++) {
        w = memcmp(payload + i, "\"window\":", 9) == 0 ? payload + i + 9 : NULL;
    }
    assert_non_null(w);
    w[0] = w[0] < '9' ? (uint8_t)(w[0] + 1) : (uint8_t)(w[0] - 1); /* 40 -> 50: still >= the stride */
    gs_tflm_harness_t *h;
    assert_int_equal(gs_tflm_harness_create(&h), GS_OK);
    assert_int_equal(gs_tflm_harness_load(h, payload, plen), GS_ERR_MODEL_LOAD);
    gs_model_tflm_info_t info;
    assert_int_equal(gs_model_tflm_info(&info), GS_ERR_NO_MODEL);
    assert_non_null(strstr(info.failure, "window x channels"));
    assert_null(gs_tflm_harness_manifest(h));
    gs_tflm_harness_destroy(h);
    free(payload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_packaged_model_loads_and_matches_the_java_reference),
        cmocka_unit_test(a_model_whose_layout_does_not_match_its_manifest_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
