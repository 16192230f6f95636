/*
 * Calibration: the math against the shared vector (proto/testdata/calibration/vector1.txt,
 * expected values by numpy; sdk-core's CalibrationVectorTest checks the same file), the
 * collection session (decimation, sample cap, a flat channel), and Calibrate end to end on a
 * device with a model store, the reference backend and a scripted sensor.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gs_calibration.h"
#include "gs_crc32.h"
#include "gs_device.h"
#include "gs_envelope.h"
#include "gs_model_backend.h"
#include "gs_test_util.h"
#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

static void assert_close(double got, double want, double rel)
{
    double tol = rel * fmax(1.0, fabs(want));
    if (fabs(got - want) > tol) {
        fail_msg("got %.9g, want %.9g (tolerance %.3g)", got, want, tol);
    }
}

/* A model that reconstructs every window as zeros: the score is the mean of x^2. */
static gs_err_t zero_model(void *ctx, const float *in, float *out, uint32_t w, uint32_t ch)
{
    (void)ctx;
    (void)in;
    memset(out, 0, (size_t)w * ch * sizeof(float));
    return GS_OK;
}
static const gs_model_ops_t k_zero_ops = {.reconstruct = zero_model};

/* ------------------------------------------------------------------ shared vector */

typedef struct {
    uint32_t channels, window, stride, n;
    float samples[400 * 3];
    float mean[3], std[3];
    uint32_t n_wscores;
    float wscores[64];
    uint32_t n_scores;
    float scores[64];
} vector_t;

static void expect_word(FILE *f, const char *w)
{
    char got[64];
    assert_int_equal(fscanf(f, "%63s", got), 1);
    assert_string_equal(got, w);
}

/* Checks every "case"/"window_case" line against `scores` as they arrive. */
static int check_cases(FILE *f, const char *tag, const float *scores, uint32_t n)
{
    char word[64], kind[16];
    int checked = 0;
    long pos = ftell(f);
    while (fscanf(f, "%63s", word) == 1 && strcmp(word, tag) == 0) {
        float q, k, want, got, copy[64];
        assert_int_equal(fscanf(f, "%15s %f %f %f", kind, &q, &k, &want), 4);
        memcpy(copy, scores, n * sizeof(float));
        assert_int_equal(gs_calibration_threshold(copy, n, q, k, &got), GS_OK);
        assert_close(got, want, 1e-6);
        checked++;
        pos = ftell(f);
    }
    fseek(f, pos, SEEK_SET);
    return checked;
}

static void shared_vector_matches_numpy(void **state)
{
    (void)state;
    static vector_t v;
    FILE *f = fopen(GS_TESTDATA_DIR "/calibration/vector1.txt", "r");
    assert_non_null(f);
    char line[256];
    for (int i = 0; i < 4; i++) {
        assert_non_null(fgets(line, sizeof(line), f)); /* comment lines */
    }
    expect_word(f, "channels");
    assert_int_equal(fscanf(f, "%u", &v.channels), 1);
    expect_word(f, "window");
    assert_int_equal(fscanf(f, "%u", &v.window), 1);
    expect_word(f, "stride");
    assert_int_equal(fscanf(f, "%u", &v.stride), 1);
    expect_word(f, "samples");
    assert_int_equal(fscanf(f, "%u", &v.n), 1);
    assert_int_equal(v.channels, 3);
    assert_int_equal(v.n, 400);
    for (uint32_t i = 0; i < v.n * v.channels; i++) {
        assert_int_equal(fscanf(f, "%f", &v.samples[i]), 1);
    }
    expect_word(f, "expect_mean");
    assert_int_equal(fscanf(f, "%f %f %f", &v.mean[0], &v.mean[1], &v.mean[2]), 3);
    expect_word(f, "expect_std");
    assert_int_equal(fscanf(f, "%f %f %f", &v.std[0], &v.std[1], &v.std[2]), 3);
    expect_word(f, "expect_window_scores");
    assert_int_equal(fscanf(f, "%u", &v.n_wscores), 1);
    for (uint32_t i = 0; i < v.n_wscores; i++) {
        assert_int_equal(fscanf(f, "%f", &v.wscores[i]), 1);
    }

    /* mean / population std with Welford */
    gs_welford_t w;
    gs_welford_init(&w, v.channels);
    for (uint32_t i = 0; i < v.n; i++) {
        gs_welford_add(&w, &v.samples[i * v.channels]);
    }
    float mean[3], std[3];
    gs_welford_result(&w, mean, std);
    for (int k = 0; k < 3; k++) {
        assert_close(mean[k], v.mean[k], 1e-6);
        assert_close(std[k], v.std[k], 1e-6);
    }

    /* window scores on data normalised with the new values */
    gs_model_t zero = {.ops = &k_zero_ops};
    static float in[256 * 3], out[256 * 3];
    float got[64];
    uint32_t n = 0;
    for (uint32_t s = 0; s + v.window <= v.n; s += v.stride) {
        assert_int_equal(gs_calibration_window_score(&v.samples[s * v.channels], v.window,
                                                     v.channels, mean, std, &zero, in, out,
                                                     &got[n]),
                         GS_OK);
        assert_close(got[n], v.wscores[n], 1e-6);
        n++;
    }
    assert_int_equal(n, v.n_wscores);
    assert_int_equal(check_cases(f, "window_case", got, n), 5);

    /* thresholds of the fixed scores */
    expect_word(f, "scores");
    assert_int_equal(fscanf(f, "%u", &v.n_scores), 1);
    for (uint32_t i = 0; i < v.n_scores; i++) {
        assert_int_equal(fscanf(f, "%f", &v.scores[i]), 1);
    }
    assert_int_equal(check_cases(f, "case", v.scores, v.n_scores), 5);
    expect_word(f, "end");
    fclose(f);
}

static void threshold_rejects_what_the_protocol_rejects(void **state)
{
    (void)state;
    float s[3] = {3, 1, 2}, t;
    assert_int_equal(gs_calibration_threshold(s, 0, 0.5f, 0, &t), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_calibration_threshold(s, 3, 1.0f, 0, &t), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_calibration_threshold(s, 3, -0.1f, 0, &t), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_calibration_threshold(s, 3, 0.0f, 0.0f, &t), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_calibration_threshold(s, 3, NAN, 0, &t), GS_ERR_INVALID_ARG);
    assert_int_equal(gs_calibration_threshold(s, 3, 0.5f, 0, &t), GS_OK);
    assert_true(t == 2.0f);
    assert_int_equal(gs_calibration_threshold(s, 1, 0.75f, 0, &t), GS_OK); /* one score */
    assert_true(t == 1.0f);
}

/* ------------------------------------------------------------------ session */

static void session_decimates_caps_and_refuses_a_flat_channel(void **state)
{
    (void)state;
    static gs_calibration_t c;
    gs_calibration_params_t p = {.axes_mask = 5, .scale = 0.5f, .decimation = 2,
                                 .target = GS_CALIBRATION_MAX_SAMPLES + 10};
    assert_int_equal(gs_calibration_begin(&c, &p), GS_OK);
    gs_welford_t ref;
    gs_welford_init(&ref, 2);
    uint64_t i = 0;
    while (!gs_calibration_done(&c)) {
        gs_sample_t s = {.xyz = {(int16_t)(i % 7), 1234, (int16_t)(-(int16_t)(i % 5))}};
        if (i % 2 == 0) {
            float v[2] = {(float)s.xyz[0] * 0.5f, (float)s.xyz[2] * 0.5f};
            gs_welford_add(&ref, v);
        }
        (void)gs_calibration_add(&c, &s);
        i++;
    }
    assert_int_equal(i, 2 * (GS_CALIBRATION_MAX_SAMPLES + 10) - 1);
    gs_model_t zero = {.ops = &k_zero_ops};
    gs_calibration_result_t r;
    assert_int_equal(gs_calibration_finish(&c, &zero, 64, 64, 0.5f, 0, &r), GS_OK);
    float mean[2], std[2];
    gs_welford_result(&ref, mean, std);
    assert_int_equal(r.channels, 2);
    assert_true(r.mean[0] == mean[0] && r.std[1] == std[1]); /* every sample counts */
    assert_int_equal(r.windows, GS_CALIBRATION_MAX_SAMPLES / 64); /* only stored ones scored */
    assert_false(gs_calibration_done(&c));

    p.axes_mask = 2; /* Y is constant */
    p.target = 100;
    assert_int_equal(gs_calibration_begin(&c, &p), GS_OK);
    for (int k = 0; k < 200; k++) {
        gs_sample_t s = {.xyz = {(int16_t)k, 1234, 0}};
        (void)gs_calibration_add(&c, &s);
    }
    assert_int_equal(gs_calibration_finish(&c, &zero, 4, 2, 0.5f, 0, &r), GS_ERR_INVALID_STATE);
}

/* ------------------------------------------------------------------ device end to end */

/* Window 4, stride 2, 2 channels; the manifest's normalisation is deliberately off. */
static const char *k_manifest =
    "{\"format\":\"gyrosentinel.tflite-autoencoder\",\"formatVersion\":1,\"modelId\":\"m-cal\","
    "\"layout\":\"window\",\"model\":\"model.tflite\",\"window\":4,\"stride\":2,\"channels\":2,"
    "\"sampleRateHz\":1000.0,\"mean\":[100.0,-100.0],\"std\":[50.0,50.0],"
    "\"threshold\":{\"value\":123.0,\"method\":\"quantile\",\"parameter\":0.99},"
    "\"quantization\":\"float32\",\"sha256\":{\"model.tflite\":\"00\"}}";

/* reference.f32: all weights 0, so the reconstruction is out.bias = (0, 0) at every step. */
static void payload(gs_test_buf_t *o)
{
    gs_test_buf_t r = {{0}, 0};
    memcpy(r.b, "GSRF", 4);
    r.n = 4;
    uint32_t hdr[] = {1, 4, 2, 1, 1, 2, 2, 86};
    for (size_t i = 0; i < 8; i++) {
        gs_test_put_u32(&r, hdr[i]);
    }
    for (int i = 0; i < 86; i++) {
        gs_test_put_f32(&r, 0.0f);
    }
    gs_test_bundle_payload(o, "m-cal", k_manifest, GS_REFERENCE_PART, &r);
}

typedef struct {
    int running;
    gs_sample_t queue[2048];
    size_t q_len, q_pos;
    int starts, stops;
} fake_sensor_t;

static gs_err_t fs_configure(void *ctx, const gs_sensor_settings_t *s, float *actual)
{
    (void)ctx;
    *actual = s->odr_hz;
    return GS_OK;
}
static gs_err_t fs_start(void *ctx) { ((fake_sensor_t *)ctx)->running = 1; ((fake_sensor_t *)ctx)->starts++; return GS_OK; }
static gs_err_t fs_stop(void *ctx) { ((fake_sensor_t *)ctx)->running = 0; ((fake_sensor_t *)ctx)->stops++; return GS_OK; }
static gs_err_t fs_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    fake_sensor_t *f = ctx;
    *n = 0;
    /* 32 samples per read: a FIFO that never overflows the device's 64-sample ring */
    while (f->running && f->q_pos < f->q_len && *n < max && *n < 32) {
        out[(*n)++] = f->queue[f->q_pos++];
    }
    return GS_OK;
}
static const gs_sensor_ops_t k_fake_ops = {
    .model = "FAKE", .configure = fs_configure, .start = fs_start, .stop = fs_stop, .read = fs_read,
};

static uint64_t clock_now(void *ctx)
{
    (void)ctx;
    return 1000000;
}

#define MAX_REPLIES 512
typedef struct {
    gs_frame_decoder_handle_t dec;
    gs_envelope_t env[MAX_REPLIES];
    size_t n;
} replies_t;

static void on_reply(void *ctx, const uint8_t *env, size_t len)
{
    replies_t *r = ctx;
    assert_true(r->n < MAX_REPLIES);
    assert_int_equal(gs_envelope_decode(env, len, &r->env[r->n]), GS_OK);
    r->n++;
}

static gs_err_t capture_write(void *ctx, const uint8_t *frame, size_t len)
{
    return gs_frame_decoder_feed(((replies_t *)ctx)->dec, frame, len, on_reply, ctx);
}

typedef struct {
    char dir[64];
    uint8_t buf[16384];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    gs_model_runtime_handle_t rt;
    fake_sensor_t sensor;
    replies_t replies;
    gs_device_handle_t dev;
} fx_t;

/* Store, runtime and device over the fixture's storage: at setup, and again after a "reboot". */
static void open_device(fx_t *f)
{
    gs_model_store_config_t sc = {.storage = f->storage};
    assert_int_equal(gs_model_store_create(&sc, &f->store), GS_OK);
    gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
    rc.store = f->store;
    rc.payload_buf = f->buf;
    rc.payload_cap = sizeof(f->buf);
    assert_int_equal(gs_model_reference_backend(&rc.backend), GS_OK);
    assert_int_equal(gs_model_runtime_create(&rc, &f->rt), GS_OK);
    gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
    cfg.sensor.ops = &k_fake_ops;
    cfg.sensor.ctx = &f->sensor;
    cfg.clock.now_us = clock_now;
    cfg.write = capture_write;
    cfg.write_ctx = &f->replies;
    cfg.ring_capacity = 64;
    cfg.batch_size = 8;
    cfg.odr_hz = 1000.0f;
    cfg.axes_mask = 5; /* X and Z: the model's two channels */
    cfg.model_store = f->store;
    cfg.model_runtime = f->rt;
    assert_int_equal(gs_device_create(&cfg, &f->dev), GS_OK);
}

static void close_device(fx_t *f)
{
    gs_device_destroy(f->dev);
    gs_model_runtime_destroy(f->rt);
    gs_model_store_destroy(f->store);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/gs_cal_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(gs_storage_file_create(f->dir, sizeof(f->buf), &f->storage), GS_OK);
    assert_int_equal(gs_frame_decoder_create(NULL, &f->replies.dec), GS_OK);
    open_device(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    char cmd[128];
    close_device(f);
    gs_frame_decoder_destroy(f->replies.dec);
    gs_storage_file_destroy(&f->storage);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void install_model(fx_t *f)
{
    static gs_test_buf_t p;
    payload(&p);
    static gyrosentinel_v1_ModelBegin begin;
    gs_test_begin_for_payload(&begin, p.b, p.n, "m-cal");
    assert_int_equal(gs_test_store_transfer(f->store, &begin, p.b, 1000, true), GS_OK);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_OK);
}

static size_t send(fx_t *f, uint32_t rid, pb_size_t body, const void *msg, size_t msg_size)
{
    static gs_envelope_t env;
    static uint8_t frame[GS_ENVELOPE_FRAME_BUF];
    memset(&env, 0, sizeof(env));
    env.protocol_version = 1;
    env.request_id = rid;
    env.which_body = body;
    if (msg) {
        memcpy(&env.body, msg, msg_size);
    }
    size_t len, before = f->replies.n;
    assert_int_equal(gs_envelope_encode_frame(&env, frame, sizeof(frame), &len), GS_OK);
    assert_int_equal(gs_device_receive(f->dev, frame, len), GS_OK);
    return before;
}

static void calibrate_error(fx_t *f, uint32_t duration, float q, float k,
                            gyrosentinel_v1_ErrorCode code, const char *field)
{
    gyrosentinel_v1_Calibrate c = {.duration_ms = duration, .quantile = q, .k_sigma = k};
    size_t i = send(f, 9, gyrosentinel_v1_Envelope_calibrate_tag, &c, sizeof(c));
    assert_int_equal(f->replies.n, i + 1);
    const gs_envelope_t *r = &f->replies.env[i];
    assert_int_equal(r->which_body, gyrosentinel_v1_Envelope_error_tag);
    assert_int_equal(r->request_id, 9);
    assert_int_equal(r->body.error.code, code);
    assert_string_equal(r->body.error.field, field ? field : "");
}

static void calibrate_checks_arguments_and_needs_a_model(void **state)
{
    fx_t *f = *state;
    const gyrosentinel_v1_ErrorCode bad = gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT;
    calibrate_error(f, 1000, 0.99f, 0, gyrosentinel_v1_ErrorCode_NO_MODEL, NULL);
    install_model(f);
    calibrate_error(f, 99, 0.99f, 0, bad, "calibrate.duration_ms");
    calibrate_error(f, 600001, 0.99f, 0, bad, "calibrate.duration_ms");
    calibrate_error(f, 1000, 1.0f, 0, bad, "calibrate.quantile");
    calibrate_error(f, 1000, -0.5f, 0, bad, "calibrate.quantile");
    calibrate_error(f, 1000, 0, 0, bad, "calibrate.k_sigma");
    calibrate_error(f, 1000, 0, -1.0f, bad, "calibrate.k_sigma");
    assert_int_equal(f->sensor.starts, 0);
}

static void calibrate_samples_by_itself_answers_and_rescores_the_stream(void **state)
{
    fx_t *f = *state;
    install_model(f);
    /* 100 ms at 1000 Hz: 100 samples; X = i % 10, Z = -(i % 4) raw (scale 250 x 35e-6 dps) */
    const float scale = (float)(250.0 * 35e-6);
    gs_welford_t ref;
    gs_welford_init(&ref, 2);
    for (size_t i = 0; i < 300; i++) {
        gs_sample_t s = {.timestamp_us = i * 1000u,
                         .xyz = {(int16_t)(i % 10), 77, (int16_t)(-(int16_t)(i % 4))}};
        f->sensor.queue[f->sensor.q_len++] = s;
        if (i < 100) {
            float v[2] = {(float)s.xyz[0] * scale, (float)s.xyz[2] * scale};
            gs_welford_add(&ref, v);
        }
    }
    gyrosentinel_v1_Calibrate c = {.duration_ms = 100, .quantile = 0.9f};
    size_t first = send(f, 11, gyrosentinel_v1_Envelope_calibrate_tag, &c, sizeof(c));
    assert_int_equal(f->replies.n, first); /* answered when the data is in */
    assert_int_equal(f->sensor.starts, 1);

    /* while it runs: configure and a second Calibrate are BUSY */
    gyrosentinel_v1_SensorConfig sc = {.batch_size = 4};
    size_t i = send(f, 12, gyrosentinel_v1_Envelope_configure_tag, &sc, sizeof(sc));
    assert_int_equal(f->replies.env[i].body.error.code, gyrosentinel_v1_ErrorCode_BUSY);
    i = send(f, 13, gyrosentinel_v1_Envelope_calibrate_tag, &c, sizeof(c));
    assert_int_equal(f->replies.env[i].body.error.code, gyrosentinel_v1_ErrorCode_BUSY);

    size_t before = f->replies.n;
    for (int turn = 0; turn < 20 && f->replies.n == before; turn++) {
        assert_int_equal(gs_device_sensor_step(f->dev), GS_OK);
        assert_int_equal(gs_device_comms_step(f->dev), GS_OK);
    }
    assert_int_equal(f->replies.n, before + 1);
    const gs_envelope_t *r = &f->replies.env[before];
    assert_int_equal(r->request_id, 11);
    assert_int_equal(r->which_body, gyrosentinel_v1_Envelope_calibration_result_tag);
    const gyrosentinel_v1_CalibrationResult *cr = &r->body.calibration_result;
    float mean[2], std[2];
    gs_welford_result(&ref, mean, std);
    assert_int_equal(cr->channel_mean_count, 2);
    assert_int_equal(cr->channel_std_count, 2);
    for (int k = 0; k < 2; k++) {
        assert_true(cr->channel_mean[k] == mean[k]);
        assert_true(cr->channel_std[k] == std[k]);
    }
    assert_int_equal(cr->windows, (100 - 4) / 2 + 1);
    assert_true(cr->threshold > 0.5f && cr->threshold < 3.0f); /* ~ mean z^2 of a window */
    assert_int_equal(f->sensor.stops, 1); /* it started the sensor, so it stops it */

    /* the stream is now scored with the new normalisation and threshold */
    gyrosentinel_v1_StartStreaming st = {.results = true};
    send(f, 14, gyrosentinel_v1_Envelope_start_streaming_tag, &st, sizeof(st));
    before = f->replies.n;
    assert_int_equal(gs_device_sensor_step(f->dev), GS_OK);
    assert_int_equal(gs_device_comms_step(f->dev), GS_OK);
    int results = 0;
    for (size_t k = before; k < f->replies.n; k++) {
        if (f->replies.env[k].which_body == gyrosentinel_v1_Envelope_inference_result_tag) {
            const gyrosentinel_v1_InferenceResult *ir = &f->replies.env[k].body.inference_result;
            assert_true(ir->threshold == cr->threshold);
            assert_true(ir->score < 5.0f); /* with the manifest's normalisation it is ~4 */
            results++;
        }
    }
    assert_true(results > 0);

    /* the calibration is kept with the model's slot: it survives a reboot */
    close_device(f);
    open_device(f);
    assert_int_equal(gs_model_runtime_reload(f->rt), GS_OK);
    const gs_manifest_t *m = gs_model_runtime_manifest(f->rt);
    assert_true(m->threshold == cr->threshold);
    for (int k = 0; k < 2; k++) {
        assert_true(m->mean[k] == mean[k] && m->std[k] == std[k]);
    }

    /* a newly deployed model (the other slot) runs with its own manifest's values */
    install_model(f);
    assert_true(gs_model_runtime_manifest(f->rt)->threshold == 123.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_vector_matches_numpy),
        cmocka_unit_test(threshold_rejects_what_the_protocol_rejects),
        cmocka_unit_test(session_decimates_caps_and_refuses_a_flat_channel),
        cmocka_unit_test_setup_teardown(calibrate_checks_arguments_and_needs_a_model, setup, teardown),
        cmocka_unit_test_setup_teardown(calibrate_samples_by_itself_answers_and_rescores_the_stream,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
