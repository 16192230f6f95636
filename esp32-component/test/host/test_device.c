/*
 * Protocol handler against a scripted sensor and a manual clock: every request is sent as
 * a real frame and every reply is deframed and decoded, as a host would see it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gs_device.h"
#include "gs_envelope.h"
#include "gs_test_util.h"
#include "gs_crc32.h"
#include <unistd.h>

/* ------------------------------------------------------------------ fakes */

typedef struct {
    uint64_t now;
} fake_clock_t;

static uint64_t clock_now(void *ctx)
{
    return ((fake_clock_t *)ctx)->now;
}

typedef struct {
    int running;
    gs_sensor_settings_t applied;
    float snap_odr;          /* if non-zero, the sensor reports this as the actual rate */
    gs_err_t configure_result;
    gs_sample_t queue[4096];
    size_t q_len, q_pos;
    int starts, stops;
} fake_sensor_t;

static gs_err_t fs_configure(void *ctx, const gs_sensor_settings_t *s, float *actual)
{
    fake_sensor_t *f = ctx;
    if (f->configure_result != GS_OK) {
        return f->configure_result;
    }
    f->applied = *s;
    *actual = f->snap_odr ? f->snap_odr : s->odr_hz;
    return GS_OK;
}
static gs_err_t fs_start(void *ctx) { ((fake_sensor_t *)ctx)->running = 1; ((fake_sensor_t *)ctx)->starts++; return GS_OK; }
static gs_err_t fs_stop(void *ctx) { ((fake_sensor_t *)ctx)->running = 0; ((fake_sensor_t *)ctx)->stops++; return GS_OK; }
static gs_err_t fs_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    fake_sensor_t *f = ctx;
    *n = 0;
    while (f->running && f->q_pos < f->q_len && *n < max) {
        out[(*n)++] = f->queue[f->q_pos++];
    }
    return GS_OK;
}
static const gs_sensor_ops_t fake_ops = {
    .model = "FAKE", .configure = fs_configure, .start = fs_start, .stop = fs_stop, .read = fs_read,
};

/* Collects replies: frames written by the device are deframed and decoded here. */
#define MAX_REPLIES 256
typedef struct {
    gs_frame_decoder_handle_t dec;
    gs_envelope_t env[MAX_REPLIES];
    uint8_t raw[MAX_REPLIES][256];
    size_t raw_len[MAX_REPLIES];
    size_t n;
} replies_t;

static void on_reply(void *ctx, const uint8_t *env, size_t len)
{
    replies_t *r = ctx;
    assert_true(r->n < MAX_REPLIES);
    assert_int_equal(gs_envelope_decode(env, len, &r->env[r->n]), GS_OK);
    r->raw_len[r->n] = len < 256 ? len : 256;
    memcpy(r->raw[r->n], env, r->raw_len[r->n]);
    r->n++;
}

static gs_err_t capture_write(void *ctx, const uint8_t *frame, size_t len)
{
    replies_t *r = ctx;
    assert_int_equal(frame[len - 1], 0);
    return gs_frame_decoder_feed(r->dec, frame, len, on_reply, r);
}

typedef struct {
    fake_clock_t clock;
    fake_sensor_t sensor;
    replies_t replies;
    gs_device_handle_t dev;
    uint32_t next_rid;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    f->clock.now = 1000000;
    assert_int_equal(gs_frame_decoder_create(NULL, &f->replies.dec), GS_OK);
    gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
    cfg.sensor.ops = &fake_ops;
    cfg.sensor.ctx = &f->sensor;
    cfg.clock.now_us = clock_now;
    cfg.clock.ctx = &f->clock;
    cfg.write = capture_write;
    cfg.write_ctx = &f->replies;
    cfg.device_id = "test-1";
    cfg.chip = "host";
    cfg.ring_capacity = 64;
    cfg.batch_size = 8;
    cfg.odr_hz = 1000.0f;
    assert_int_equal(gs_device_create(&cfg, &f->dev), GS_OK);
    f->next_rid = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    gs_device_destroy(f->dev);
    gs_frame_decoder_destroy(f->replies.dec);
    free(f);
    return 0;
}

/* Sends `env` as a frame; returns the index of the first reply it caused. */
static size_t send(fixture_t *f, gs_envelope_t *env)
{
    static uint8_t frame[GS_ENVELOPE_FRAME_BUF];
    size_t len;
    env->protocol_version = 1;
    assert_int_equal(gs_envelope_encode_frame(env, frame, sizeof(frame), &len), GS_OK);
    size_t before = f->replies.n;
    assert_int_equal(gs_device_receive(f->dev, frame, len), GS_OK);
    return before;
}

static gs_envelope_t *request(uint32_t rid, pb_size_t body)
{
    static gs_envelope_t env;
    memset(&env, 0, sizeof(env));
    env.request_id = rid;
    env.which_body = body;
    return &env;
}

static const gs_envelope_t *only_reply(fixture_t *f, size_t first, uint32_t rid, pb_size_t body)
{
    assert_int_equal(f->replies.n, first + 1);
    const gs_envelope_t *r = &f->replies.env[first];
    assert_int_equal(r->request_id, rid);
    assert_int_equal(r->protocol_version, 1);
    assert_int_equal(r->which_body, body);
    return r;
}

static void expect_error(fixture_t *f, size_t first, uint32_t rid,
                         gyrosentinel_v1_ErrorCode code, const char *field)
{
    const gs_envelope_t *r = only_reply(f, first, rid, gyrosentinel_v1_Envelope_error_tag);
    assert_int_equal(r->body.error.code, code);
    assert_string_equal(r->body.error.field, field ? field : "");
    assert_true(strlen(r->body.error.message) > 0);
}

static void queue_samples(fixture_t *f, size_t n, uint64_t t0, uint64_t period_us)
{
    for (size_t i = 0; i < n; i++) {
        gs_sample_t s = {.timestamp_us = t0 + i * period_us,
                         .xyz = {(int16_t)i, (int16_t)(i + 1), (int16_t)(i + 2)}};
        f->sensor.queue[f->sensor.q_len++] = s;
    }
}

/* ------------------------------------------------------------------ tests */

static void hello_is_answered_with_device_info(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(7, gyrosentinel_v1_Envelope_hello_tag);
    e->body.hello.min_protocol_version = 1;
    e->body.hello.max_protocol_version = 4;
    size_t i = send(f, e);
    const gs_envelope_t *r = only_reply(f, i, 7, gyrosentinel_v1_Envelope_device_info_tag);
    const gyrosentinel_v1_DeviceInfo *d = &r->body.device_info;
    assert_int_equal(d->protocol_version, 1);
    assert_string_equal(d->device_id, "test-1");
    assert_string_equal(d->chip, "host");
    assert_string_equal(d->sensor_model, "FAKE");
    assert_int_equal(d->max_frame_size, 2048);
    assert_true(d->has_sensor_config);
    assert_true(d->sensor_config.odr_hz == 1000.0f);
    assert_int_equal(d->sensor_config.batch_size, 8);
    assert_int_equal(d->device_time_us, 1000000);
    assert_true(d->capabilities_count >= 1);
    assert_int_equal(d->capabilities[0], gyrosentinel_v1_Capability_CAPABILITY_STREAMING);
}

static void golden_hello_and_configure_frames_are_accepted(void **state)
{
    fixture_t *f = *state;
    size_t len;
    uint8_t *hello = gs_test_read_file(GS_TESTDATA_DIR "/hello.frame.bin", &len);
    assert_non_null(hello);
    assert_int_equal(gs_device_receive(f->dev, hello, len), GS_OK);
    only_reply(f, 0, 1, gyrosentinel_v1_Envelope_device_info_tag);
    free(hello);
    uint8_t *conf = gs_test_read_file(GS_TESTDATA_DIR "/configure.frame.bin", &len);
    assert_non_null(conf);
    assert_int_equal(gs_device_receive(f->dev, conf, len), GS_OK);
    only_reply(f, 1, 2, gyrosentinel_v1_Envelope_ack_tag);
    free(conf);
    assert_true(f->sensor.applied.odr_hz == 1666.0f);
    assert_int_equal(f->sensor.applied.full_scale_dps, 250);
}

static void unsupported_protocol_gets_the_golden_error(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(3, gyrosentinel_v1_Envelope_hello_tag);
    e->body.hello.min_protocol_version = 2;
    e->body.hello.max_protocol_version = 3;
    size_t i = send(f, e);
    expect_error(f, i, 3, gyrosentinel_v1_ErrorCode_PROTOCOL_VERSION, "hello.min_protocol_version");
    size_t len;
    uint8_t *golden = gs_test_read_file(GS_TESTDATA_DIR "/error.envelope.bin", &len);
    assert_non_null(golden);
    assert_int_equal(f->replies.raw_len[i], len);
    assert_memory_equal(f->replies.raw[i], golden, len);
    free(golden);
}

static void invalid_configuration_names_the_field_and_changes_nothing(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(2, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.odr_hz = 5000.0f;
    e->body.configure.batch_size = 16;
    expect_error(f, send(f, e), 2, gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT, "configure.odr_hz");

    e = request(3, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.full_scale_dps = 300;
    expect_error(f, send(f, e), 3, gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
                 "configure.full_scale_dps");

    e = request(4, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.batch_size = 257;
    expect_error(f, send(f, e), 4, gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
                 "configure.batch_size");

    e = request(5, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.axes_mask = 9;
    expect_error(f, send(f, e), 5, gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
                 "configure.axes_mask");

    /* One axis allows bigger batches. */
    e = request(6, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.axes_mask = 1;
    e->body.configure.batch_size = 600;
    only_reply(f, send(f, e), 6, gyrosentinel_v1_Envelope_ack_tag);

    e = request(8, gyrosentinel_v1_Envelope_hello_tag);
    e->body.hello.min_protocol_version = 1;
    const gs_envelope_t *r = only_reply(f, send(f, e), 8, gyrosentinel_v1_Envelope_device_info_tag);
    assert_true(r->body.device_info.sensor_config.odr_hz == 1000.0f);
    assert_int_equal(r->body.device_info.sensor_config.full_scale_dps, 250);
    assert_int_equal(r->body.device_info.sensor_config.axes_mask, 1);
    assert_int_equal(r->body.device_info.sensor_config.batch_size, 600);
}

static void sensor_rate_snapping_is_reported(void **state)
{
    fixture_t *f = *state;
    f->sensor.snap_odr = 1920.0f;
    gs_envelope_t *e = request(2, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.odr_hz = 1666.0f;
    only_reply(f, send(f, e), 2, gyrosentinel_v1_Envelope_ack_tag);
    e = request(3, gyrosentinel_v1_Envelope_start_streaming_tag);
    size_t i = send(f, e);
    queue_samples(f, 8, 2000000, 521);
    gs_device_sensor_step(f->dev);
    gs_device_comms_step(f->dev);
    assert_int_equal(f->replies.n, i + 2);
    assert_int_equal(f->replies.env[i + 1].body.sample_batch.sample_period_ns, 520833);
}

static void streaming_sends_batches_and_stop_flushes_and_reports(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(10, gyrosentinel_v1_Envelope_start_streaming_tag);
    size_t i = send(f, e);
    const gs_envelope_t *r = only_reply(f, i, 10, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_true(r->body.stream_status.streaming);
    assert_int_equal(r->body.stream_status.next_sequence, 0);
    assert_true(gs_device_is_streaming(f->dev));

    queue_samples(f, 20, 2000000, 1000);
    assert_int_equal(gs_device_sensor_step(f->dev), GS_OK);
    assert_int_equal(gs_device_comms_step(f->dev), GS_OK);
    assert_int_equal(f->replies.n, i + 3); /* two full batches of 8 */
    for (int k = 0; k < 2; k++) {
        const gs_envelope_t *b = &f->replies.env[i + 1 + k];
        assert_int_equal(b->which_body, gyrosentinel_v1_Envelope_sample_batch_tag);
        assert_int_equal(b->request_id, 0);
        assert_int_equal(b->body.sample_batch.sequence, k);
        assert_int_equal(b->body.sample_batch.count, 8);
        assert_int_equal(b->body.sample_batch.timestamp_us, 2000000 + 8000u * (unsigned)k);
        assert_int_equal(b->body.sample_batch.sample_period_ns, 1000000);
    }
    /* Configure while streaming is refused. */
    e = request(11, gyrosentinel_v1_Envelope_configure_tag);
    e->body.configure.batch_size = 4;
    expect_error(f, send(f, e), 11, gyrosentinel_v1_ErrorCode_BUSY, NULL);

    e = request(12, gyrosentinel_v1_Envelope_stop_streaming_tag);
    size_t j = send(f, e);
    assert_int_equal(f->replies.n, j + 2);
    assert_int_equal(f->replies.env[j].which_body, gyrosentinel_v1_Envelope_sample_batch_tag);
    assert_int_equal(f->replies.env[j].body.sample_batch.count, 4);
    assert_int_equal(f->replies.env[j].body.sample_batch.sequence, 2);
    const gs_envelope_t *st = &f->replies.env[j + 1];
    assert_int_equal(st->request_id, 12);
    assert_int_equal(st->which_body, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_false(st->body.stream_status.streaming);
    assert_int_equal(st->body.stream_status.samples, 20);
    assert_int_equal(st->body.stream_status.dropped_samples, 0);
    assert_int_equal(st->body.stream_status.next_sequence, 3);
    assert_int_equal(f->sensor.stops, 1);

    /* A new start restarts the sequence at 0. */
    i = send(f, request(13, gyrosentinel_v1_Envelope_start_streaming_tag));
    queue_samples(f, 8, 3000000, 1000);
    gs_device_sensor_step(f->dev);
    gs_device_comms_step(f->dev);
    assert_int_equal(f->replies.n, i + 2);
    assert_int_equal(f->replies.env[i + 1].body.sample_batch.sequence, 0);
}

static void max_samples_stops_by_itself(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(4, gyrosentinel_v1_Envelope_start_streaming_tag);
    e->body.start_streaming.max_samples = 12;
    size_t i = send(f, e);
    queue_samples(f, 30, 0, 1000);
    gs_device_sensor_step(f->dev);
    gs_device_comms_step(f->dev);
    assert_false(gs_device_is_streaming(f->dev));
    /* status, batch of 8, batch of 4, unsolicited status */
    assert_int_equal(f->replies.n, i + 4);
    assert_int_equal(f->replies.env[i + 2].body.sample_batch.count, 4);
    const gs_envelope_t *st = &f->replies.env[i + 3];
    assert_int_equal(st->request_id, 0);
    assert_int_equal(st->which_body, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_false(st->body.stream_status.streaming);
}

static void ring_overflow_is_counted_and_reported(void **state)
{
    fixture_t *f = *state;
    size_t i = send(f, request(5, gyrosentinel_v1_Envelope_start_streaming_tag));
    queue_samples(f, 100, 0, 1000); /* ring holds 64 */
    gs_device_sensor_step(f->dev);
    f->clock.now += 300000;
    gs_device_comms_step(f->dev);
    gs_device_stats_t st;
    gs_device_get_stats(f->dev, &st);
    assert_int_equal(st.dropped_samples, 36);
    assert_int_equal(st.samples, 100);
    const gs_envelope_t *last = &f->replies.env[f->replies.n - 1];
    assert_int_equal(last->which_body, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_int_equal(last->request_id, 0);
    assert_true(last->body.stream_status.streaming);
    assert_int_equal(last->body.stream_status.dropped_samples, 36);
    assert_int_equal(f->replies.n, i + 1 + 8 + 1); /* status, 8 batches, drop report */

    i = send(f, request(6, gyrosentinel_v1_Envelope_get_telemetry_tag));
    const gs_envelope_t *t = only_reply(f, i, 6, gyrosentinel_v1_Envelope_telemetry_tag);
    assert_int_equal(t->body.telemetry.dropped_samples, 36);
    assert_int_equal(t->body.telemetry.queue_capacity, 64);
    assert_int_equal(t->body.telemetry.batches_sent, 8);
}

static void ping_pong_telemetry_and_bad_frames(void **state)
{
    fixture_t *f = *state;
    gs_envelope_t *e = request(21, gyrosentinel_v1_Envelope_ping_tag);
    e->body.ping.nonce = 0xDEADBEEFCAFEull;
    f->clock.now = 5000123;
    const gs_envelope_t *r = only_reply(f, send(f, e), 21, gyrosentinel_v1_Envelope_pong_tag);
    assert_int_equal(r->body.pong.nonce, 0xDEADBEEFCAFEull);
    assert_int_equal(r->body.pong.device_time_us, 5000123);

    const uint8_t garbage[] = {0x03, 0x11, 0x22, 0x00, 0x09, 0x01, 0x00};
    gs_device_receive(f->dev, garbage, sizeof(garbage));
    assert_int_equal(f->replies.n, 1); /* broken frames are never answered */

    /* Good CRC, undecodable protobuf: answered MALFORMED, counted as bad. */
    const uint8_t junk_env[] = {0x0A, 0xFF, 0xFF};
    uint8_t frame[32];
    size_t flen;
    assert_int_equal(gs_frame_encode(junk_env, sizeof(junk_env), frame, sizeof(frame), &flen), GS_OK);
    gs_device_receive(f->dev, frame, flen);
    expect_error(f, 1, 0, gyrosentinel_v1_ErrorCode_MALFORMED, NULL);

    r = only_reply(f, send(f, request(22, gyrosentinel_v1_Envelope_get_telemetry_tag)), 22,
                   gyrosentinel_v1_Envelope_telemetry_tag);
    assert_int_equal(r->body.telemetry.bad_frames, 3);
    assert_int_equal(r->body.telemetry.uptime_ms, 5000);
}

static void unknown_and_unsupported_bodies_get_errors(void **state)
{
    fixture_t *f = *state;
    /* request_id 9 and a body field number from the future (99). */
    const uint8_t future[] = {0x08, 0x01, 0x10, 0x09, 0x9A, 0x06, 0x00};
    uint8_t frame[32];
    size_t flen;
    assert_int_equal(gs_frame_encode(future, sizeof(future), frame, sizeof(frame), &flen), GS_OK);
    gs_device_receive(f->dev, frame, flen);
    expect_error(f, 0, 9, gyrosentinel_v1_ErrorCode_UNKNOWN_MESSAGE, NULL);

    expect_error(f, send(f, request(10, gyrosentinel_v1_Envelope_sample_batch_tag)), 10,
                 gyrosentinel_v1_ErrorCode_UNKNOWN_MESSAGE, NULL);
    expect_error(f, send(f, request(11, gyrosentinel_v1_Envelope_model_begin_tag)), 11,
                 gyrosentinel_v1_ErrorCode_UNSUPPORTED, NULL);
    gs_envelope_t *e = request(12, gyrosentinel_v1_Envelope_start_streaming_tag);
    e->body.start_streaming.results = true;
    (void)send(f, e);
    /* results are sent only when a model is active: without one the device still streams */
    assert_true(gs_device_is_streaming(f->dev));
    (void)send(f, request(13, gyrosentinel_v1_Envelope_stop_streaming_tag));
    assert_false(gs_device_is_streaming(f->dev));
}

static void stop_when_stopped_just_reports(void **state)
{
    fixture_t *f = *state;
    const gs_envelope_t *r = only_reply(f, send(f, request(3, gyrosentinel_v1_Envelope_stop_streaming_tag)),
                                        3, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_false(r->body.stream_status.streaming);
    assert_int_equal(f->sensor.stops, 0);
}

static void create_validates_its_configuration(void **state)
{
    (void)state;
    gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
    gs_device_handle_t d;
    assert_int_equal(gs_device_create(&cfg, &d), GS_ERR_INVALID_ARG); /* no sensor */
    fake_sensor_t s = {0};
    fake_clock_t c = {0};
    replies_t *r = calloc(1, sizeof(*r));
    cfg.sensor.ops = &fake_ops;
    cfg.sensor.ctx = &s;
    cfg.clock.now_us = clock_now;
    cfg.clock.ctx = &c;
    cfg.write = capture_write;
    cfg.write_ctx = r;
    cfg.ring_capacity = 100;
    assert_int_equal(gs_device_create(&cfg, &d), GS_ERR_INVALID_ARG);
    cfg.ring_capacity = 128;
    cfg.full_scale_dps = 3;
    assert_int_equal(gs_device_create(&cfg, &d), GS_ERR_INVALID_ARG);
    cfg.full_scale_dps = 2000;
    assert_int_equal(gs_device_create(&cfg, &d), GS_OK);
    gs_device_destroy(d);
    free(r);
}

/* A device with a file-backed model store (no trusted key) and id "test-1". */
typedef struct {
    char dir[32];
    gs_storage_t storage;
    gs_model_store_handle_t store;
    fixture_t *f;
} model_fixture_t;

static int model_setup(void **state)
{
    model_fixture_t *m = calloc(1, sizeof(*m));
    snprintf(m->dir, sizeof(m->dir), "/tmp/gs_dev_store_XXXXXX");
    assert_non_null(mkdtemp(m->dir));
    assert_int_equal(gs_storage_file_create(m->dir, 8192, &m->storage), GS_OK);
    gs_model_store_config_t sc = {.storage = m->storage};
    assert_int_equal(gs_model_store_create(&sc, &m->store), GS_OK);

    fixture_t *f = m->f = calloc(1, sizeof(*f));
    assert_int_equal(gs_frame_decoder_create(NULL, &f->replies.dec), GS_OK);
    gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
    cfg.sensor.ops = &fake_ops;
    cfg.sensor.ctx = &f->sensor;
    cfg.clock.now_us = clock_now;
    cfg.clock.ctx = &f->clock;
    cfg.write = capture_write;
    cfg.write_ctx = &f->replies;
    cfg.device_id = "test-1";
    cfg.model_store = m->store;
    assert_int_equal(gs_device_create(&cfg, &f->dev), GS_OK);
    *state = m;
    return 0;
}

static int model_teardown(void **state)
{
    model_fixture_t *m = *state;
    gs_device_destroy(m->f->dev);
    gs_frame_decoder_destroy(m->f->replies.dec);
    free(m->f);
    gs_model_store_destroy(m->store);
    gs_storage_file_destroy(&m->storage);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", m->dir);
    assert_int_equal(system(cmd), 0);
    free(m);
    return 0;
}

static uint8_t s_model[3000];

/* ModelBegin for s_model whose manifest is `manifest`, as request `rid`. */
static gs_envelope_t *model_begin(uint32_t rid, const char *model_id, const char *manifest)
{
    for (size_t i = 0; i < sizeof(s_model); i++) {
        s_model[i] = (uint8_t)(i * 13);
    }
    gs_envelope_t *e = request(rid, gyrosentinel_v1_Envelope_model_begin_tag);
    e->body.model_begin.size = sizeof(s_model);
    gs_test_sha256(s_model, sizeof(s_model), e->body.model_begin.sha256);
    snprintf(e->body.model_begin.model_id, sizeof(e->body.model_begin.model_id), "%s", model_id);
    e->body.model_begin.manifest.size = (pb_size_t)strlen(manifest);
    memcpy(e->body.model_begin.manifest.bytes, manifest, strlen(manifest));
    return e;
}

/* Chunks of s_model and ModelCommit{activate}, each answered as it should; returns the next rid. */
static uint32_t send_model(fixture_t *f, uint32_t rid)
{
    for (uint32_t off = 0; off < sizeof(s_model); off += 1024) {
        uint32_t n = sizeof(s_model) - off < 1024 ? (uint32_t)sizeof(s_model) - off : 1024;
        gs_envelope_t *e = request(rid, gyrosentinel_v1_Envelope_model_chunk_tag);
        e->body.model_chunk.offset = off;
        memcpy(e->body.model_chunk.data.bytes, &s_model[off], n);
        e->body.model_chunk.data.size = (pb_size_t)n;
        e->body.model_chunk.crc32 = gs_crc32_update(0, &s_model[off], n);
        only_reply(f, send(f, e), rid++, gyrosentinel_v1_Envelope_ack_tag);
    }
    gs_envelope_t *e = request(rid, gyrosentinel_v1_Envelope_model_commit_tag);
    e->body.model_commit.activate = true;
    only_reply(f, send(f, e), rid++, gyrosentinel_v1_Envelope_model_status_tag);
    return rid;
}

static void model_transfer_over_the_protocol(void **state)
{
    model_fixture_t *m = *state;
    fixture_t *f = m->f;
    gs_envelope_t *e = model_begin(1, "m-1", "{\"modelId\":\"m-1\"}");
    const gs_envelope_t *r = only_reply(f, send(f, e), 1, gyrosentinel_v1_Envelope_model_status_tag);
    assert_int_equal(r->body.model_status.transfer_state,
                     gyrosentinel_v1_ModelStatus_TransferState_RECEIVING);
    assert_int_equal(r->body.model_status.next_offset, 0);

    uint32_t rid = 2;
    for (uint32_t off = 0; off < sizeof(s_model); off += 1024) {
        uint32_t n = sizeof(s_model) - off < 1024 ? (uint32_t)sizeof(s_model) - off : 1024;
        e = request(rid, gyrosentinel_v1_Envelope_model_chunk_tag);
        e->body.model_chunk.offset = off;
        memcpy(e->body.model_chunk.data.bytes, &s_model[off], n);
        e->body.model_chunk.data.size = (pb_size_t)n;
        e->body.model_chunk.crc32 = gs_crc32_update(0, &s_model[off], n) ^ (off == 1024 ? 1u : 0u);
        size_t i = send(f, e);
        if (off == 1024) {
            /* A corrupted chunk is refused; the host resends it. */
            expect_error(f, i, rid, gyrosentinel_v1_ErrorCode_MODEL_CRC_MISMATCH, "model_chunk.crc32");
            e->body.model_chunk.crc32 ^= 1u;
            i = send(f, e);
        }
        only_reply(f, i, rid, gyrosentinel_v1_Envelope_ack_tag);
        rid++;
    }
    e = request(rid, gyrosentinel_v1_Envelope_model_commit_tag);
    e->body.model_commit.activate = true;
    r = only_reply(f, send(f, e), rid, gyrosentinel_v1_Envelope_model_status_tag);
    assert_int_equal(r->body.model_status.active_slot, 0);
    assert_true(r->body.model_status.slots[0].valid);
    assert_string_equal(r->body.model_status.slots[0].model_id, "m-1");

    e = request(++rid, gyrosentinel_v1_Envelope_hello_tag);
    r = only_reply(f, send(f, e), rid, gyrosentinel_v1_Envelope_device_info_tag);
    assert_int_equal(r->body.device_info.model_slots_count, 2);
    assert_true(r->body.device_info.model_slots[0].active);
    assert_int_equal(r->body.device_info.model_slots[0].size, sizeof(s_model));

    e = request(++rid, gyrosentinel_v1_Envelope_model_activate_tag);
    e->body.model_activate.slot = 1;
    expect_error(f, send(f, e), rid, gyrosentinel_v1_ErrorCode_NO_MODEL, "model_activate.slot");
}

/* What a host sees of the ModelBegin refusals: the code, the field, a message naming both sides. */
static void model_begin_refusals_name_the_code_field_and_both_values(void **state)
{
    model_fixture_t *m = *state;
    fixture_t *f = m->f;
    only_reply(f, send(f, model_begin(1, "m-1", "{\"modelId\":\"m-1\",\"version\":2}")), 1,
               gyrosentinel_v1_Envelope_model_status_tag);
    uint32_t rid = send_model(f, 2);

    struct {
        const char *model_id, *manifest;
        gyrosentinel_v1_ErrorCode code;
        const char *field, *message;
    } cases[] = {
        {"m-1", "{\"modelId\":\"m-1\",\"version\":1}", gyrosentinel_v1_ErrorCode_MODEL_VERSION_REJECTED,
         "manifest.version", "model version 1 < highest accepted 2; sign with \"downgrade\": true to go back"},
        {"m-2", "{\"modelId\":\"m-2\",\"version\":3,\"scope\":\"test-2\"}", gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
         "manifest.scope", "bundle is for device 'test-2', this is 'test-1'"},
        {"m-x", "{\"modelId\":\"m-2\",\"version\":3}", gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
         "model_begin.model_id", "model_id 'm-x' differs from the manifest's modelId 'm-2'"},
        {"m-2", "{\"modelId\":\"m-2\",\"version\":3.0}", gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
         "manifest.version", "manifest version must appear once, as an integer 0..4294967295"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t first = send(f, model_begin(rid, cases[i].model_id, cases[i].manifest));
        expect_error(f, first, rid, cases[i].code, cases[i].field);
        assert_string_equal(f->replies.env[first].body.error.message, cases[i].message);
        rid++;
    }
    /* nothing of that touched the device: the model and the transfer state are as they were */
    gs_envelope_t *e = request(rid, gyrosentinel_v1_Envelope_get_model_status_tag);
    const gs_envelope_t *r = only_reply(f, send(f, e), rid++, gyrosentinel_v1_Envelope_model_status_tag);
    assert_int_equal(r->body.model_status.active_slot, 0);
    assert_string_equal(r->body.model_status.slots[0].model_id, "m-1");
    assert_false(r->body.model_status.slots[1].valid);
    assert_int_equal(r->body.model_status.transfer_state, gyrosentinel_v1_ModelStatus_TransferState_COMMITTED);
    /* a later request that fails without a store detail gets its own message, not a stale one */
    e = request(rid, gyrosentinel_v1_Envelope_model_activate_tag);
    e->body.model_activate.slot = 1;
    size_t first = send(f, e);
    expect_error(f, first, rid, gyrosentinel_v1_ErrorCode_NO_MODEL, "model_activate.slot");
    assert_string_equal(f->replies.env[first].body.error.message, "no valid model in slot 1");
    /* scoped to this device and at the floor: accepted */
    rid++;
    only_reply(f, send(f, model_begin(rid, "m-2", "{\"modelId\":\"m-2\",\"version\":2,\"scope\":\"test-1\"}")),
               rid, gyrosentinel_v1_Envelope_model_status_tag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hello_is_answered_with_device_info, setup, teardown),
        cmocka_unit_test_setup_teardown(golden_hello_and_configure_frames_are_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(unsupported_protocol_gets_the_golden_error, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_configuration_names_the_field_and_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(sensor_rate_snapping_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(streaming_sends_batches_and_stop_flushes_and_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(max_samples_stops_by_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(ring_overflow_is_counted_and_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(ping_pong_telemetry_and_bad_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_and_unsupported_bodies_get_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_when_stopped_just_reports, setup, teardown),
        cmocka_unit_test(create_validates_its_configuration),
        cmocka_unit_test_setup_teardown(model_transfer_over_the_protocol, model_setup, model_teardown),
        cmocka_unit_test_setup_teardown(model_begin_refusals_name_the_code_field_and_both_values, model_setup,
                                        model_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
