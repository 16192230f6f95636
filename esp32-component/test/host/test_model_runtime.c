/*
 * Bundle payload and manifest parsing, the float reference backend, and the model runtime on
 * top of the file-backed model store: load after activation, scoring windows every stride,
 * and rollback when an activated model does not load. (Byte-for-byte agreement of the
 * reference backend with Java's TrainedModel is checked by the Java interop tests in
 * sdk-transport-serial, which deploy to gs_virtual_device.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "gs_bundle.h"
#include "gs_model_backend.h"
#include "gs_model_runtime.h"
#include "gs_test_util.h"
#include "gs_crc32.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

/* ------------------------------------------------------------ building payloads */

static const char *k_manifest =
    "{\"format\":\"gyrosentinel.tflite-autoencoder\",\"formatVersion\":1,\"modelId\":\"m-1\","
    "\"layout\":\"window\",\"model\":\"model.tflite\",\"window\":4,\"stride\":2,\"channels\":2,"
    "\"sampleRateHz\":960.0,\"mean\":[0.5,-1.0],\"std\":[2.0,4.0],"
    "\"threshold\":{\"value\":0.25,\"method\":\"quantile\",\"parameter\":0.99},"
    "\"quantization\":\"float32\",\"sha256\":{\"model.tflite\":\"00\"},\"cost\":{\"ops\":[1,2]}}";

/* reference.f32 for window 4, 2 channels, encoder [2], decoder [2]: all weights 0, out.bias
 * = {0.75, -0.5}, so the reconstruction is out.bias at every step. */
static void reference_part(gs_test_buf_t *r, uint32_t window)
{
    memcpy(r->b, "GSRF", 4);
    r->n = 4;
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, window);
    gs_test_put_u32(r, 2);
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, 2);
    gs_test_put_u32(r, 2);
    /* enc0: 2x8 + 2x8 + 8; dec0: 2x8 + 2x8 + 8; out: 2x2 + 2 */
    uint32_t count = 40 + 40 + 6;
    gs_test_put_u32(r, count);
    for (uint32_t i = 0; i < count - 2; i++) {
        gs_test_put_f32(r, 0.0f);
    }
    gs_test_put_f32(r, 0.75f);
    gs_test_put_f32(r, -0.5f);
}

/* reference.f32 version 2 for window 4, 2 channels, 2 samples per step (2 frames of 4 values),
 * encoder [1], decoder [1]: all weights 0, out.bias = {1, 2, 3, 4}, so every frame of the
 * reconstruction is {1, 2, 3, 4}: samples alternate (1, 2), (3, 4). `samples_per_step` 3 does
 * not divide the window. */
static void framed_reference_part(gs_test_buf_t *r, uint32_t samples_per_step)
{
    memcpy(r->b, "GSRF", 4);
    r->n = 4;
    gs_test_put_u32(r, 2);
    gs_test_put_u32(r, 4);
    gs_test_put_u32(r, 2);
    gs_test_put_u32(r, samples_per_step);
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, 1);
    gs_test_put_u32(r, 1);
    /* enc0: 4x4 + 1x4 + 4; dec0: 1x4 + 1x4 + 4; out: 1x4 + 4 */
    uint32_t count = 24 + 12 + 8;
    gs_test_put_u32(r, count);
    for (uint32_t i = 0; i < count - 4; i++) {
        gs_test_put_f32(r, 0.0f);
    }
    for (int i = 1; i <= 4; i++) {
        gs_test_put_f32(r, (float)i);
    }
}

static void payload(gs_test_buf_t *o, const char *manifest, const gs_test_buf_t *ref)
{
    gs_test_bundle_payload(o, "m-1", manifest, GS_REFERENCE_PART, ref);
}

/* ------------------------------------------------------------ parsing */

static void bundle_parts_are_slices_of_the_payload(void **state)
{
    (void)state;
    static gs_test_buf_t ref, p;
    reference_part(&ref, 4);
    payload(&p, k_manifest, &ref);
    gs_bundle_t b;
    assert_int_equal(gs_bundle_parse(p.b, p.n, &b), GS_OK);
    assert_int_equal(b.format_version, 1);
    assert_int_equal(b.model_id_len, 3);
    assert_memory_equal(b.model_id, "m-1", 3);
    assert_int_equal(b.manifest_len, strlen(k_manifest));
    assert_int_equal(b.part_count, 2);
    const gs_bundle_part_t *r = gs_bundle_find(&b, GS_REFERENCE_PART);
    assert_non_null(r);
    assert_int_equal(r->size, ref.n);
    assert_memory_equal(r->data, ref.b, ref.n);
    assert_null(gs_bundle_find(&b, "missing"));
    /* every truncation is rejected or parses to a prefix, never read past the end */
    for (size_t n = 0; n < p.n; n++) {
        gs_bundle_t t;
        gs_err_t err = gs_bundle_parse(p.b, n, &t);
        assert_true(err == GS_OK || err == GS_ERR_INVALID_ARG);
    }
}

static void manifest_fields_are_read_and_checked(void **state)
{
    (void)state;
    gs_manifest_t m;
    assert_int_equal(gs_manifest_parse((const uint8_t *)k_manifest, strlen(k_manifest), &m), GS_OK);
    assert_string_equal(m.model_id, "m-1");
    assert_string_equal(m.model_part, "model.tflite");
    assert_int_equal(m.window, 4);
    assert_int_equal(m.stride, 2);
    assert_int_equal(m.channels, 2);
    assert_true(m.mean[0] == 0.5f && m.mean[1] == -1.0f && m.std[0] == 2.0f && m.std[1] == 4.0f);
    assert_true(m.threshold == 0.25f && m.sample_rate_hz == 960.0f);
    assert_int_equal(m.output, GS_MODEL_OUTPUT_RECONSTRUCTION); /* "output" absent */

    static const struct {
        const char *from, *to;
        gs_err_t err;
    } cases[] = {
        {"\"stride\":2", "\"stride\":5", GS_ERR_INVALID_ARG},
        {"\"channels\":2", "\"channels\":3", GS_ERR_INVALID_ARG},
        {"\"std\":[2.0,4.0]", "\"std\":[2.0,0]", GS_ERR_INVALID_ARG},
        {"\"window\":4", "\"window\":1", GS_ERR_INVALID_ARG},
        {"\"formatVersion\":1", "\"formatVersion\":4", GS_ERR_UNSUPPORTED},
        {"tflite-autoencoder", "onnx-autoencoder!!", GS_ERR_UNSUPPORTED},
        {"{\"value\":0.25", "{\"valu\":0.25", GS_ERR_INVALID_ARG},
        {"\"cost\":{\"ops\":[1,2]}}", "\"cost\":{\"ops\":[1,2}}", GS_ERR_INVALID_ARG},
        /* what the model returns: a kind this firmware does not know is refused, not guessed */
        {"\"layout\":\"window\"", "\"layout\":\"window\",\"output\":\"quantiles\"", GS_ERR_UNSUPPORTED},
        {"\"layout\":\"window\"", "\"layout\":\"window\",\"output\":7", GS_ERR_INVALID_ARG},
        {"\"layout\":\"window\"", "\"layout\":\"window\",\"output\":\"reconstruction\"", GS_OK},
        {"\"layout\":\"window\"", "\"layout\":\"window\",\"dc\":\"high-pass\"", GS_ERR_UNSUPPORTED},
        {"\"formatVersion\":1", "\"formatVersion\":3", GS_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[1024];
        const char *at = strstr(k_manifest, cases[i].from);
        assert_non_null(at);
        snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - k_manifest), k_manifest, cases[i].to,
                 at + strlen(cases[i].from));
        assert_int_equal(gs_manifest_parse((const uint8_t *)doc, strlen(doc), &m), cases[i].err);
    }
    for (size_t n = 0; n < strlen(k_manifest); n++) {
        assert_int_not_equal(gs_manifest_parse((const uint8_t *)k_manifest, n, &m), GS_OK);
    }
    /* a statistical family's model returns its channel scores */
    char doc[1024];
    const char *at = strstr(k_manifest, "\"layout\"");
    snprintf(doc, sizeof(doc), "%.*s\"family\":\"features-pca\",\"output\":\"channel_scores\",%s",
             (int)(at - k_manifest), k_manifest, at);
    assert_int_equal(gs_manifest_parse((const uint8_t *)doc, strlen(doc), &m), GS_OK);
    assert_int_equal(m.output, GS_MODEL_OUTPUT_CHANNEL_SCORES);
    assert_false(m.remove_dc);
    /* an autoencoder trained with DC removal (formatVersion 2) */
    at = strstr(k_manifest, "\"formatVersion\":1");
    snprintf(doc, sizeof(doc), "%.*s\"formatVersion\":2,\"dc\":\"remove\"%s", (int)(at - k_manifest), k_manifest,
             at + strlen("\"formatVersion\":1"));
    assert_int_equal(gs_manifest_parse((const uint8_t *)doc, strlen(doc), &m), GS_OK);
    assert_true(m.remove_dc);
}

/* Wraps `ref` (NULL: no reference part) in a payload with k_manifest and loads it into the
 * reference backend `be`; returns what load() said. The backend copies what it needs. */
static gs_err_t load_reference(const gs_test_buf_t *ref, gs_model_backend_t *be)
{
    static gs_test_buf_t p;
    payload(&p, k_manifest, ref);
    gs_bundle_t b;
    gs_manifest_t m;
    assert_int_equal(gs_bundle_parse(p.b, p.n, &b), GS_OK);
    assert_int_equal(gs_manifest_parse(b.manifest, b.manifest_len, &m), GS_OK);
    assert_int_equal(gs_model_reference_backend(be), GS_OK);
    return be->ops->load(be->ctx, &b, &m);
}

static void reference_backend_runs_the_weights(void **state)
{
    (void)state;
    static gs_test_buf_t ref;
    gs_model_backend_t be;
    reference_part(&ref, 4);
    assert_int_equal(load_reference(&ref, &be), GS_OK);
    float in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    assert_int_equal(be.ops->run(be.ctx, in, out, 4, 2), GS_OK);
    for (int t = 0; t < 4; t++) {
        assert_true(out[2 * t] == 0.75f && out[2 * t + 1] == -0.5f);
    }
    assert_int_equal(be.ops->run(be.ctx, in, out, 3, 2), GS_ERR_INVALID_ARG);
    be.ops->unload(be.ctx);
    assert_int_equal(be.ops->run(be.ctx, in, out, 4, 2), GS_ERR_INVALID_STATE);

    /* weights for another window than the manifest's, truncated weights, missing part */
    reference_part(&ref, 5);
    assert_int_equal(load_reference(&ref, &be), GS_ERR_MODEL_LOAD);
    reference_part(&ref, 4);
    ref.n -= 4;
    assert_int_equal(load_reference(&ref, &be), GS_ERR_MODEL_LOAD);
    assert_int_equal(load_reference(NULL, &be), GS_ERR_NO_MODEL);
}

static void reference_backend_runs_frames_of_several_samples(void **state)
{
    (void)state;
    static gs_test_buf_t ref;
    gs_model_backend_t be;
    framed_reference_part(&ref, 2);
    assert_int_equal(load_reference(&ref, &be), GS_OK);
    float in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    assert_int_equal(be.ops->run(be.ctx, in, out, 4, 2), GS_OK);
    for (int i = 0; i < 8; i++) {
        assert_true(out[i] == (float)(i % 4 + 1));
    }
    be.ops->unload(be.ctx);

    /* a frame size that does not divide the window, or that leaves a single step */
    framed_reference_part(&ref, 3);
    assert_int_equal(load_reference(&ref, &be), GS_ERR_MODEL_LOAD);
    framed_reference_part(&ref, 4);
    assert_int_equal(load_reference(&ref, &be), GS_ERR_MODEL_LOAD);
}

/* ------------------------------------------------------------ runtime on the store */

typedef struct {
    char dir[64];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    gs_model_runtime_handle_t rt;
    uint8_t buf[16384];
} fx_t;

static gs_err_t transfer(fx_t *f, const gs_test_buf_t *p, bool activate)
{
    static gyrosentinel_v1_ModelBegin begin;
    gs_test_begin_for_payload(&begin, p->b, p->n, "m-1");
    return gs_test_store_transfer(f->store, &begin, p->b, 1000, activate);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/gs_rt_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gs_storage_file_create(f->dir, sizeof(f->buf), &f->storage), GS_OK);
    gs_model_store_config_t sc = {.storage = f->storage};
    assert_int_equal(gs_model_store_create(&sc, &f->store), GS_OK);
    gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
    rc.store = f->store;
    rc.payload_buf = f->buf;
    rc.payload_cap = sizeof(f->buf);
    rc.enter_windows = 2;
    rc.exit_windows = 1;
    assert_int_equal(gs_model_reference_backend(&rc.backend), GS_OK);
    assert_int_equal(gs_model_runtime_create(&rc, &f->rt), GS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[128];
    gs_model_runtime_destroy(f->rt);
    gs_model_store_destroy(f->store);
    gs_storage_file_destroy(&f->storage);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void runtime_scores_windows_every_stride(void **state)
{
    fx_t *f = *state;
    static gs_test_buf_t ref, p;
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_ERR_NO_MODEL);
    assert_false(gs_model_runtime_ready(f->rt));
    reference_part(&ref, 4);
    payload(&p, k_manifest, &ref);
    assert_int_equal(transfer(f, &p, true), GS_OK);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_OK);
    assert_true(gs_model_runtime_ready(f->rt));
    assert_int_equal(gs_model_runtime_manifest(f->rt)->stride, 2);
    /* 3 axes enabled, the model has 2 channels: not run */
    assert_int_equal(gs_model_runtime_start(f->rt, 7, 1.0f), GS_ERR_INVALID_ARG);
    /* X and Z: channel 0 = X, channel 1 = Z */
    assert_int_equal(gs_model_runtime_start(f->rt, 5, 0.5f), GS_OK);
    int results = 0, events = 0;
    for (int i = 0; i < 10; i++) {
        /* X raw 1 -> 0.5 dps -> (0.5-0.5)/2 = 0; Z raw -2 -> -1 dps -> (-1+1)/4 = 0 */
        gs_sample_t s = {.timestamp_us = 1000u + 10u * (uint64_t)i, .xyz = {1, 999, -2}};
        gs_scoring_output_t o;
        assert_int_equal(gs_model_runtime_add(f->rt, &s, &o), GS_OK);
        if (o.has_result) {
            /* input 0, reconstruction (0.75, -0.5): MSE 0.5625 and 0.25 */
            assert_int_equal(o.result.window, (uint64_t)results);
            assert_int_equal(o.result.start_timestamp_us, 1000u + 20u * (uint64_t)results);
            assert_true(o.result.channel_error[0] == 0.5625f && o.result.channel_error[1] == 0.25f);
            assert_true(o.result.anomalous);
            assert_string_equal(o.result.model_id, "m-1");
            results++;
        }
        if (o.has_event) {
            assert_int_equal(o.event.state, gyrosentinel_v1_AnomalyEvent_State_STARTED);
            assert_int_equal(o.event.windows, 2);
            events++;
        }
    }
    assert_int_equal(results, 4); /* windows at 0, 2, 4, 6 */
    assert_int_equal(events, 1);
    gs_model_runtime_stop(f->rt);
    assert_false(gs_model_runtime_scoring(f->rt));
}

static void a_model_that_does_not_load_rolls_back(void **state)
{
    fx_t *f = *state;
    static gs_test_buf_t ref, good, bad;
    reference_part(&ref, 4);
    payload(&good, k_manifest, &ref);
    assert_int_equal(transfer(f, &good, true), GS_OK);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_OK);
    int32_t good_slot = gs_model_store_active_slot(f->store);

    payload(&bad, k_manifest, NULL); /* no reference.f32: the backend cannot run it */
    assert_int_equal(transfer(f, &bad, true), GS_OK);
    assert_int_not_equal(gs_model_store_active_slot(f->store), good_slot);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_ERR_MODEL_LOAD);
    assert_int_equal(gs_model_store_active_slot(f->store), good_slot);
    assert_true(gs_model_runtime_ready(f->rt));

    /* a payload that is not a bundle at all, and nothing to fall back to after it */
    static gs_test_buf_t junk;
    memset(&junk, 0, sizeof(junk));
    junk.n = 100;
    memset(junk.b, 0xFF, junk.n);
    assert_int_equal(transfer(f, &junk, true), GS_OK);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_ERR_MODEL_LOAD);
    assert_int_equal(gs_model_store_active_slot(f->store), good_slot);
}

/* The shared cases of proto/testdata/manifest/deploy.txt, which the VirtualDevice reads too. */
static void deployment_members_follow_the_shared_cases(void **state)
{
    (void)state;
    FILE *fp = fopen(GS_TESTDATA_DIR "/manifest/deploy.txt", "r");
    assert_non_null(fp);
    static char line[1200];
    int cases = 0;
    while (fgets(line, sizeof(line), fp)) {
        size_t n = strlen(line);
        if (line[0] == '#' || n == 0) {
            continue;
        }
        if (line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        const char *json = tab + 1;
        gs_manifest_deploy_t m;
        const char *field = NULL, *msg = NULL;
        gs_err_t err = gs_manifest_parse_deploy((const uint8_t *)json, strlen(json), &m, &field, &msg);
        char want_field[64] = "";
        if (sscanf(line, "ERR %63s", want_field) == 1) {
            if (err != GS_ERR_INVALID_ARG || strcmp(field, want_field) != 0) {
                fail_msg("%s: want %s, got %s %s", json, want_field, gs_err_to_name(err), field);
            }
            assert_true(strlen(msg) > 0);
        } else {
            unsigned long version;
            int downgrade;
            char scope[64], id[64];
            assert_int_equal(sscanf(line, "OK %lu %d %63s %63s", &version, &downgrade, scope, id), 4);
            if (err != GS_OK) {
                fail_msg("%s: want OK, got %s %s", json, gs_err_to_name(err), field);
            }
            assert_int_equal(m.version, version);
            assert_int_equal(m.downgrade, downgrade);
            char got_scope[64], got_id[64];
            snprintf(got_scope, sizeof(got_scope), "%.*s", m.scope_len ? (int)m.scope_len : 1,
                     m.scope_len ? m.scope : "-"); /* absent and "" both mean any device */
            snprintf(got_id, sizeof(got_id), "%.*s", m.model_id ? (int)m.model_id_len : 1,
                     m.model_id ? m.model_id : "-");
            assert_string_equal(got_scope, scope);
            assert_string_equal(got_id, id);
        }
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bundle_parts_are_slices_of_the_payload),
        cmocka_unit_test(manifest_fields_are_read_and_checked),
        cmocka_unit_test(deployment_members_follow_the_shared_cases),
        cmocka_unit_test(reference_backend_runs_the_weights),
        cmocka_unit_test(reference_backend_runs_frames_of_several_samples),
        cmocka_unit_test_setup_teardown(runtime_scores_windows_every_stride, setup, teardown),
        cmocka_unit_test_setup_teardown(a_model_that_does_not_load_rolls_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
