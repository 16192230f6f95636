#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "gs_device.h"
#include "gs_envelope.h"
#include "gs_ring.h"
#include "gs_batcher.h"
#include "gs_calibration.h"
#include "gs_config.h"
#include "gs_contract.h"
#include "gs_sensor_config.h"

#define GS_POP_CHUNK 64u
/* Drops are reported at most this often so a sustained overload cannot flood the link. */
#define GS_DROP_REPORT_INTERVAL_US (GS_DROP_REPORT_INTERVAL_MS * 1000u)
/* A host writes each frame at once: a partial frame followed by this much silence was cut
 * (cable pulled, host restarted) and is discarded, so the next request is not glued to it. */
#define GS_RX_IDLE_RESYNC_US 200000u

struct gs_device {
    uint8_t in_use;
    gs_device_config_t cfg;
    gs_frame_decoder_handle_t decoder;
    gs_ring_handle_t ring;
    gs_batcher_handle_t batcher;

    gyrosentinel_v1_SensorConfig sensor_cfg; /* in force; odr_hz is the sensor's actual rate */
    atomic_bool streaming;                   /* read by the sensor task */
    uint64_t max_samples;

    /* Baselines taken at StartStreaming from the ring's producer-side counters. */
    uint32_t dropped_seen;
    uint64_t dropped_total;                  /* since StartStreaming, 64-bit */
    uint64_t dropped_reported;
    uint64_t last_drop_report_us;
    uint64_t samples;                        /* popped since StartStreaming */
    bool send_results;                       /* StartStreaming.results */
    gs_scoring_output_t scoring;             /* last window's result/event */

    /* Calibrate (docs/protocol.md 3.3): answered when the samples are in, from comms_step. */
    atomic_bool calibrating;                 /* read by the sensor task */
    bool cal_own_sensor;                     /* the sensor runs for calibration only */
    uint32_t cal_rid;
    float cal_quantile;
    float cal_k_sigma;
    gs_calibration_t cal;

    gs_device_stats_t stats;
    uint64_t decode_errors;
    uint64_t last_rx_us;
    bool rx_partial;                         /* the last byte received was not a delimiter */

    gs_envelope_t rx;                        /* request being handled */
    gs_envelope_t tx;                        /* reply or batch being sent */
    uint8_t frame[GS_ENVELOPE_FRAME_BUF];
    gs_sample_t pop[GS_POP_CHUNK];
    gs_sample_t sensor_buf[GS_POP_CHUNK];    /* sensor task only */
};

static struct gs_device s_devices[GS_MAX_DEVICES];

static uint64_t now_us(struct gs_device *d)
{
    return d->cfg.clock.now_us ? d->cfg.clock.now_us(d->cfg.clock.ctx) : 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static uint8_t channels_of(uint32_t mask)
{
    return (uint8_t)((mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u));
}

static uint32_t period_ns(float odr_hz)
{
    return (uint32_t)lround(1e9 / (double)odr_hz);
}

/* ISM330BX gyro sensitivity: 35 udps/LSB per dps of full scale (docs/protocol.md section 4). */
static float dps_per_lsb(uint32_t full_scale_dps)
{
    return (float)((double)full_scale_dps * 35e-6);
}

/* ------------------------------------------------------------------ sending */

static gs_err_t send_tx(struct gs_device *d)
{
    size_t len;
    gs_err_t err = d->cfg.message_link
                       ? gs_envelope_encode(&d->tx, d->frame, sizeof(d->frame), &len)
                       : gs_envelope_encode_frame(&d->tx, d->frame, sizeof(d->frame), &len);
    if (err != GS_OK) {
        return err;
    }
    return d->cfg.write ? d->cfg.write(d->cfg.write_ctx, d->frame, len) : GS_ERR_INVALID_STATE;
}

static void begin_tx(struct gs_device *d, uint32_t request_id, pb_size_t body)
{
    memset(&d->tx, 0, sizeof(d->tx));
    d->tx.protocol_version = GS_PROTOCOL_VERSION;
    d->tx.request_id = request_id;
    d->tx.which_body = body;
}

static gs_err_t send_error(struct gs_device *d, uint32_t request_id,
                           gyrosentinel_v1_ErrorCode code, const char *msg, const char *field)
{
    gs_envelope_make_error(&d->tx, request_id, code, msg, field);
    return send_tx(d);
}

static gs_err_t send_ack(struct gs_device *d, uint32_t request_id)
{
    begin_tx(d, request_id, gyrosentinel_v1_Envelope_ack_tag);
    return send_tx(d);
}

static void update_drops(struct gs_device *d)
{
    uint32_t now = gs_ring_dropped(d->ring);
    d->dropped_total += (uint32_t)(now - d->dropped_seen);
    d->dropped_seen = now;
}

static gs_err_t send_stream_status(struct gs_device *d, uint32_t request_id)
{
    update_drops(d);
    begin_tx(d, request_id, gyrosentinel_v1_Envelope_stream_status_tag);
    gyrosentinel_v1_StreamStatus *s = &d->tx.body.stream_status;
    s->streaming = atomic_load(&d->streaming);
    s->dropped_samples = d->dropped_total;
    s->samples = d->samples + d->dropped_total;
    s->next_sequence = gs_batcher_next_sequence(d->batcher);
    d->dropped_reported = d->dropped_total;
    return send_tx(d);
}

static gs_err_t send_batch(struct gs_device *d)
{
    gs_err_t err = send_tx(d);
    if (err == GS_OK) {
        d->stats.batches_sent++;
    }
    return err;
}

/* ------------------------------------------------------------------ streaming */

static gs_batcher_config_t batcher_config(const gyrosentinel_v1_SensorConfig *c)
{
    gs_batcher_config_t b = {
        .batch_size = c->batch_size,
        .axes_mask = c->axes_mask,
        .input_period_ns = period_ns(c->odr_hz),
        .decimation = c->decimation,
    };
    return b;
}

/* Runs the model on a sample the stream kept (after decimation), sending InferenceResult
 * (when asked for) and AnomalyEvent. A model failure is reported once and stops scoring;
 * the stream goes on. */
static gs_err_t score(struct gs_device *d, const gs_sample_t *sample)
{
    gs_model_runtime_handle_t rt = d->cfg.model_runtime;
    if (!gs_model_runtime_scoring(rt)) {
        return GS_OK;
    }
    gs_scoring_output_t *o = &d->scoring;
    gs_err_t err = gs_model_runtime_add(rt, sample, o);
    if (err != GS_OK) {
        gs_model_runtime_stop(rt);
        return send_error(d, 0, gyrosentinel_v1_ErrorCode_INTERNAL, "inference failed; scoring stopped",
                          NULL);
    }
    if (o->has_result && d->send_results) {
        begin_tx(d, 0, gyrosentinel_v1_Envelope_inference_result_tag);
        d->tx.body.inference_result = o->result;
        if ((err = send_tx(d)) != GS_OK) {
            return err;
        }
    }
    if (o->has_event) {
        begin_tx(d, 0, gyrosentinel_v1_Envelope_anomaly_event_tag);
        d->tx.body.anomaly_event = o->event;
        return send_tx(d);
    }
    return GS_OK;
}

/* Moves queued samples into batches (to_stream) and into a running calibration; stops
 * batching at max_samples. */
static gs_err_t drain(struct gs_device *d, bool to_stream)
{
    for (;;) {
        size_t want = GS_POP_CHUNK;
        size_t n = gs_ring_pop(d->ring, d->pop, want);
        if (n == 0) {
            return GS_OK;
        }
        bool cal = atomic_load(&d->calibrating);
        if (cal) {
            for (size_t i = 0; i < n; i++) {
                (void)gs_calibration_add(&d->cal, &d->pop[i]);
            }
        }
        if (!to_stream) {
            continue;
        }
        d->samples += n;
        for (size_t i = 0; i < n; i++) {
            if (d->max_samples && gs_batcher_kept(d->batcher) >= d->max_samples) {
                if (cal) {
                    break; /* the calibration still wants the rest of the ring */
                }
                return GS_OK;
            }
            bool produced = false;
            uint64_t kept = gs_batcher_kept(d->batcher);
            gs_err_t err = gs_batcher_add(d->batcher, &d->pop[i], &d->tx, &produced);
            if (err == GS_OK && produced) {
                err = send_batch(d);
            }
            if (err == GS_OK && gs_batcher_kept(d->batcher) != kept) {
                err = score(d, &d->pop[i]);
            }
            if (err != GS_OK) {
                return err;
            }
        }
    }
}

static gs_err_t stop_streaming(struct gs_device *d)
{
    atomic_store(&d->streaming, false);
    gs_err_t err = GS_OK;
    if (atomic_load(&d->calibrating)) {
        d->cal_own_sensor = true; /* keeps sampling until the calibration has its data */
    } else {
        err = d->cfg.sensor.ops->stop(d->cfg.sensor.ctx);
    }
    gs_err_t e2 = drain(d, true);
    if (gs_batcher_flush(d->batcher, &d->tx) == GS_OK) {
        (void)send_batch(d);
    }
    gs_model_runtime_stop(d->cfg.model_runtime);
    return err != GS_OK ? err : e2;
}

static gs_err_t start_streaming(struct gs_device *d, uint64_t max_samples)
{
    gs_err_t err = d->cfg.sensor.ops->start(d->cfg.sensor.ctx);
    if (err != GS_OK) {
        return err;
    }
    gs_ring_clear(d->ring);
    gs_batcher_reset(d->batcher);
    d->max_samples = max_samples;
    d->dropped_seen = gs_ring_dropped(d->ring);
    d->dropped_total = 0;
    d->dropped_reported = 0;
    d->samples = 0;
    d->last_drop_report_us = now_us(d);
    if (d->cfg.model_runtime && gs_model_runtime_ready(d->cfg.model_runtime)) {
        /* A model whose channels do not match the enabled axes is not run (samples only). */
        (void)gs_model_runtime_start(d->cfg.model_runtime, d->sensor_cfg.axes_mask,
                                     dps_per_lsb(d->sensor_cfg.full_scale_dps));
    }
    atomic_store(&d->streaming, true);
    return GS_OK;
}

/* ------------------------------------------------------------------ requests */

static gs_err_t on_hello(struct gs_device *d, uint32_t rid, const gyrosentinel_v1_Hello *h)
{
    /* Unset fields (0) read as: min 1, max = min. */
    uint32_t hmin = h->min_protocol_version ? h->min_protocol_version : 1u;
    uint32_t hmax = h->max_protocol_version ? h->max_protocol_version : hmin;
    if (hmax < hmin) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT,
                          GS_MSG_HELLO_MAX_BELOW_MIN,
                          "hello.max_protocol_version");
    }
    uint32_t v = hmax < GS_DEVICE_MAX_PROTOCOL ? hmax : GS_DEVICE_MAX_PROTOCOL;
    if (v < hmin || v < GS_DEVICE_MIN_PROTOCOL) {
        char msg[96];
        snprintf(msg, sizeof(msg), GS_MSG_HELLO_NO_COMMON,
                 (unsigned)GS_DEVICE_MIN_PROTOCOL, (unsigned)GS_DEVICE_MAX_PROTOCOL,
                 (unsigned)hmin, (unsigned)hmax);
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_PROTOCOL_VERSION, msg,
                          v < hmin ? "hello.min_protocol_version"
                                   : "hello.max_protocol_version");
    }
    begin_tx(d, rid, gyrosentinel_v1_Envelope_device_info_tag);
    gyrosentinel_v1_DeviceInfo *info = &d->tx.body.device_info;
    info->protocol_version = v;
    copy_str(info->device_id, sizeof(info->device_id), d->cfg.device_id);
    copy_str(info->firmware_version, sizeof(info->firmware_version), d->cfg.firmware_version);
    copy_str(info->chip, sizeof(info->chip), d->cfg.chip);
    copy_str(info->sensor_model, sizeof(info->sensor_model), d->cfg.sensor.ops->model);
    info->capabilities_count = 0;
    info->capabilities[info->capabilities_count++] = gyrosentinel_v1_Capability_CAPABILITY_STREAMING;
    info->capabilities[info->capabilities_count++] =
        gyrosentinel_v1_Capability_CAPABILITY_SENSOR_TIMESTAMPS;
    info->max_frame_size = GS_MAX_ENVELOPE;
    info->has_sensor_config = true;
    info->sensor_config = d->sensor_cfg;
    info->device_time_us = now_us(d);
    info->max_chunk_size = GS_MAX_CHUNK_BYTES;
    if (d->cfg.model_store) {
        info->capabilities[info->capabilities_count++] =
            gyrosentinel_v1_Capability_CAPABILITY_MODEL_TRANSFER;
        if (gs_model_store_checks_signatures(d->cfg.model_store)) {
            info->capabilities[info->capabilities_count++] =
                gyrosentinel_v1_Capability_CAPABILITY_SIGNED_MODELS;
        }
        if (d->cfg.model_runtime) {
            info->capabilities[info->capabilities_count++] =
                gyrosentinel_v1_Capability_CAPABILITY_INFERENCE;
            info->capabilities[info->capabilities_count++] =
                gyrosentinel_v1_Capability_CAPABILITY_CALIBRATION;
        }
        /* Built in tx.body.model_status would overlap device_info: use rx as scratch,
         * the request it held has been read already. */
        gyrosentinel_v1_ModelStatus *st = &d->rx.body.model_status;
        gs_model_store_status(d->cfg.model_store, st);
        info->model_slots_count = st->slots_count;
        memcpy(info->model_slots, st->slots, sizeof(info->model_slots));
    }
    return send_tx(d);
}

static gs_sensor_config_t plain_config(const gyrosentinel_v1_SensorConfig *w)
{
    gs_sensor_config_t c = {.odr_hz = w->odr_hz, .full_scale_dps = w->full_scale_dps, .axes_mask = w->axes_mask,
                            .decimation = w->decimation, .batch_size = w->batch_size};
    return c;
}

static gyrosentinel_v1_SensorConfig wire_config(const gs_sensor_config_t *c)
{
    gyrosentinel_v1_SensorConfig w = {.odr_hz = c->odr_hz, .full_scale_dps = c->full_scale_dps,
                                      .axes_mask = c->axes_mask, .decimation = c->decimation,
                                      .batch_size = c->batch_size};
    return w;
}

static gs_err_t on_configure(struct gs_device *d, uint32_t rid,
                             const gyrosentinel_v1_SensorConfig *req)
{
    const gyrosentinel_v1_ErrorCode bad = gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT;
    if (atomic_load(&d->streaming)) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_BUSY, GS_MSG_CONFIGURE_STREAMING, NULL);
    }
    if (atomic_load(&d->calibrating)) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_BUSY, GS_MSG_CONFIGURE_CALIBRATING, NULL);
    }
    /* Zero fields keep the current value; everything is checked before anything changes. */
    gs_sensor_config_t cur = plain_config(&d->sensor_cfg);
    gs_sensor_config_t request = plain_config(req);
    gs_sensor_config_t next;
    gs_config_error_t why;
    if (gs_sensor_config_merge(&cur, &request, &next, &why) != GS_OK) {
        return send_error(d, rid, bad, why.message, why.field);
    }
    gs_sensor_settings_t settings = {.odr_hz = next.odr_hz, .full_scale_dps = next.full_scale_dps};
    float actual = next.odr_hz;
    gs_err_t err = d->cfg.sensor.ops->configure(d->cfg.sensor.ctx, &settings, &actual);
    if (err == GS_ERR_INVALID_ARG) {
        return send_error(d, rid, bad, GS_MSG_SENSOR_CANNOT_APPLY, "configure.odr_hz");
    }
    if (err != GS_OK) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_SENSOR, gs_err_to_name(err), NULL);
    }
    next.odr_hz = actual;
    gyrosentinel_v1_SensorConfig applied = wire_config(&next);
    gs_batcher_config_t bc = batcher_config(&applied);
    if (gs_batcher_configure(d->batcher, &bc) != GS_OK) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_INTERNAL,
                          "batcher rejected a validated configuration", NULL);
    }
    d->sensor_cfg = applied;
    begin_tx(d, rid, gyrosentinel_v1_Envelope_ack_tag);
    d->tx.body.ack.has_config = true;
    d->tx.body.ack.config = applied;
    return send_tx(d);
}

static gs_err_t on_start(struct gs_device *d, uint32_t rid,
                         const gyrosentinel_v1_StartStreaming *req)
{
    /* `results` asks for InferenceResults "when a model is active" (docs/protocol.md): without
     * an active model the device streams samples only, it does not refuse. */
    if (atomic_load(&d->calibrating)) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_BUSY,
                          GS_MSG_START_CALIBRATING, NULL);
    }
    d->send_results = req->results;
    if (atomic_load(&d->streaming)) {
        /* Restarting resets the sequence: finish the current run cleanly first. */
        (void)stop_streaming(d);
    }
    gs_err_t err = start_streaming(d, req->max_samples);
    if (err != GS_OK) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_SENSOR, gs_err_to_name(err), NULL);
    }
    return send_stream_status(d, rid);
}

static gs_err_t on_stop(struct gs_device *d, uint32_t rid)
{
    /* Idempotent: stopping a stopped device just reports the state. */
    if (atomic_load(&d->streaming)) {
        gs_err_t err = stop_streaming(d);
        if (err != GS_OK) {
            (void)send_error(d, 0, gyrosentinel_v1_ErrorCode_SENSOR, gs_err_to_name(err), NULL);
        }
    }
    return send_stream_status(d, rid);
}

static gs_err_t on_telemetry(struct gs_device *d, uint32_t rid)
{
    update_drops(d);
    begin_tx(d, rid, gyrosentinel_v1_Envelope_telemetry_tag);
    gyrosentinel_v1_Telemetry *t = &d->tx.body.telemetry;
    t->uptime_ms = now_us(d) / 1000u;
    if (d->cfg.system_stats) {
        gs_system_stats_t s = {0};
        d->cfg.system_stats(d->cfg.system_stats_ctx, &s);
        t->free_heap = s.free_heap;
        t->min_free_heap = s.min_free_heap;
        t->cpu_load = s.cpu_load;
    }
    t->dropped_samples = d->dropped_total;
    t->queue_depth = (uint32_t)gs_ring_depth(d->ring);
    t->queue_capacity = (uint32_t)gs_ring_capacity(d->ring);
    t->batches_sent = d->stats.batches_sent;
    gs_frame_stats_t fs;
    gs_frame_decoder_get_stats(d->decoder, &fs);
    t->bad_frames = gs_frame_stats_bad(&fs) + d->decode_errors;
    return send_tx(d);
}

static gs_err_t send_model_status(struct gs_device *d, uint32_t rid)
{
    begin_tx(d, rid, gyrosentinel_v1_Envelope_model_status_tag);
    gs_model_store_status(d->cfg.model_store, &d->tx.body.model_status);
    d->tx.body.model_status.runs_inference =
        d->cfg.model_runtime != NULL && gs_model_runtime_ready(d->cfg.model_runtime);
    return send_tx(d);
}

static gs_err_t model_error(struct gs_device *d, uint32_t rid, gs_err_t err, const char *field)
{
    gyrosentinel_v1_ErrorCode code;
    const char *msg;
    switch (err) {
    case GS_ERR_CRC_MISMATCH:
        code = gyrosentinel_v1_ErrorCode_MODEL_CRC_MISMATCH, msg = "chunk CRC-32 mismatch";
        field = "model_chunk.crc32";
        break;
    case GS_ERR_OFFSET_MISMATCH:
        code = gyrosentinel_v1_ErrorCode_MODEL_OFFSET_MISMATCH;
        msg = "chunk does not continue at next_offset (see ModelStatus)";
        break;
    case GS_ERR_INVALID_STATE:
        code = gyrosentinel_v1_ErrorCode_MODEL_OFFSET_MISMATCH;
        msg = "no transfer in progress: send ModelBegin";
        break;
    case GS_ERR_HASH_MISMATCH:
        code = gyrosentinel_v1_ErrorCode_MODEL_HASH_MISMATCH, msg = "SHA-256 mismatch";
        field = "model_begin.sha256";
        break;
    case GS_ERR_SIGNATURE:
        code = gyrosentinel_v1_ErrorCode_MODEL_SIGNATURE_INVALID;
        msg = "signature missing or invalid";
        field = "model_begin.signature";
        break;
    case GS_ERR_TOO_LARGE:
        code = gyrosentinel_v1_ErrorCode_MODEL_TOO_LARGE, msg = "model or chunk exceeds the slot";
        break;
    case GS_ERR_NO_MODEL:
        code = gyrosentinel_v1_ErrorCode_NO_MODEL, msg = "no valid model in that slot";
        break;
    case GS_ERR_STORAGE:
        code = gyrosentinel_v1_ErrorCode_STORAGE, msg = "storage failure";
        field = NULL;
        break;
    case GS_ERR_INVALID_ARG:
        code = gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT, msg = "invalid model request";
        break;
    case GS_ERR_VERSION:
        code = gyrosentinel_v1_ErrorCode_MODEL_VERSION_REJECTED;
        msg = "model version lower than the highest accepted one";
        field = "manifest.version";
        break;
    case GS_ERR_MODEL_LOAD:
    case GS_ERR_NO_MEM:
    case GS_ERR_UNSUPPORTED:
        code = gyrosentinel_v1_ErrorCode_MODEL_LOAD_FAILED;
        msg = err == GS_ERR_NO_MEM ? "model does not fit the runtime; previous model kept"
              : err == GS_ERR_UNSUPPORTED ? "model format not supported; previous model kept"
                                          : "model did not load; previous model kept";
        field = NULL;
        break;
    default:
        code = gyrosentinel_v1_ErrorCode_INTERNAL, msg = gs_err_to_name(err);
        field = NULL;
        break;
    }
    /* The store says what exactly it refused (names, sizes, versions) when it knows. */
    const char *detail_field = NULL;
    const char *detail = gs_model_store_error_detail(d->cfg.model_store, &detail_field);
    if (detail && code != gyrosentinel_v1_ErrorCode_MODEL_LOAD_FAILED) {
        msg = detail;
        field = detail_field ? detail_field : field;
    }
    return send_error(d, rid, code, msg, field);
}

/* After the active slot changed: load it (a failure rolls back inside the runtime). */
static gs_err_t reload_model(struct gs_device *d)
{
    if (!d->cfg.model_runtime) {
        return GS_OK;
    }
    bool streaming = atomic_load(&d->streaming);
    gs_err_t err = gs_model_runtime_reload(d->cfg.model_runtime);
    if (streaming && gs_model_runtime_ready(d->cfg.model_runtime)) {
        (void)gs_model_runtime_start(d->cfg.model_runtime, d->sensor_cfg.axes_mask,
                                     dps_per_lsb(d->sensor_cfg.full_scale_dps));
    }
    /* A device with nothing active (GS_ERR_NO_MODEL after a rollback to nothing) is fine. */
    return err == GS_ERR_NO_MODEL ? GS_OK : err;
}

static gs_err_t on_model(struct gs_device *d, uint32_t rid)
{
    gs_model_store_handle_t st = d->cfg.model_store;
    const gs_envelope_t *r = &d->rx;
    gs_err_t err;
    uint32_t next = 0;
    switch (r->which_body) {
    case gyrosentinel_v1_Envelope_model_begin_tag:
        err = gs_model_store_begin(st, &r->body.model_begin, &next);
        return err == GS_OK ? send_model_status(d, rid) : model_error(d, rid, err, "model_begin.size");
    case gyrosentinel_v1_Envelope_model_chunk_tag:
        err = gs_model_store_chunk(st, &r->body.model_chunk);
        return err == GS_OK ? send_ack(d, rid) : model_error(d, rid, err, "model_chunk.offset");
    case gyrosentinel_v1_Envelope_model_commit_tag:
        err = gs_model_store_commit(st, r->body.model_commit.activate);
        if (err == GS_OK && r->body.model_commit.activate) {
            err = reload_model(d);
        }
        return err == GS_OK ? send_model_status(d, rid) : model_error(d, rid, err, NULL);
    case gyrosentinel_v1_Envelope_model_abort_tag:
        err = gs_model_store_abort(st);
        return err == GS_OK ? send_model_status(d, rid) : model_error(d, rid, err, NULL);
    case gyrosentinel_v1_Envelope_model_activate_tag:
        err = gs_model_store_activate(st, r->body.model_activate.slot);
        if (err == GS_OK) {
            err = reload_model(d);
        }
        return err == GS_OK ? send_model_status(d, rid)
                            : model_error(d, rid, err, "model_activate.slot");
    case gyrosentinel_v1_Envelope_model_rollback_tag:
        err = gs_model_store_rollback(st);
        if (err == GS_OK) {
            err = reload_model(d);
        }
        return err == GS_OK ? send_model_status(d, rid) : model_error(d, rid, err, NULL);
    default:
        return send_model_status(d, rid);
    }
}

/* ------------------------------------------------------------------ calibration */

/* Calibrate: checks everything that can be checked now, then collects samples (from the
 * stream, or with the sensor started for this alone) until comms_step sees enough of them and
 * answers via finish_calibration(). */
static gs_err_t on_calibrate(struct gs_device *d, uint32_t rid, const gyrosentinel_v1_Calibrate *req)
{
    const gyrosentinel_v1_ErrorCode bad = gyrosentinel_v1_ErrorCode_INVALID_ARGUMENT;
    char msg[96];
    if (atomic_load(&d->calibrating)) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_BUSY, GS_MSG_CALIBRATION_BUSY, NULL);
    }
    if (req->duration_ms < GS_CALIBRATION_MIN_MS || req->duration_ms > GS_CALIBRATION_MAX_MS) {
        return send_error(d, rid, bad, GS_MSG_CALIBRATION_DURATION,
                          "calibrate.duration_ms");
    }
    if (!isfinite(req->quantile) || req->quantile < 0.0f || req->quantile >= 1.0f) {
        return send_error(d, rid, bad, GS_MSG_CALIBRATION_QUANTILE,
                          "calibrate.quantile");
    }
    if (req->quantile == 0.0f && (!isfinite(req->k_sigma) || !(req->k_sigma > 0.0f))) {
        return send_error(d, rid, bad, GS_MSG_CALIBRATION_K_SIGMA,
                          "calibrate.k_sigma");
    }
    gs_model_runtime_handle_t rt = d->cfg.model_runtime;
    const gs_manifest_t *m = gs_model_runtime_manifest(rt);
    if (!m) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_NO_MODEL,
                          GS_MSG_CALIBRATION_NO_MODEL, NULL);
    }
    uint32_t ch = channels_of(d->sensor_cfg.axes_mask);
    if (ch != m->channels) {
        snprintf(msg, sizeof(msg), GS_MSG_CALIBRATION_CHANNELS,
                 (unsigned)m->channels, (unsigned)ch);
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_NO_MODEL, msg, NULL);
    }
    uint32_t dec = d->sensor_cfg.decimation ? d->sensor_cfg.decimation : 1u;
    uint64_t target = gs_calibration_samples_for(req->duration_ms, d->sensor_cfg.odr_hz, dec);
    uint64_t usable = target < GS_CALIBRATION_MAX_SAMPLES ? target : GS_CALIBRATION_MAX_SAMPLES;
    if (usable < m->window) {
        double ms = ceil((double)m->window * dec * 1000.0 / (double)d->sensor_cfg.odr_hz);
        snprintf(msg, sizeof(msg), GS_MSG_CALIBRATION_TOO_SHORT,
                 (unsigned)m->window, ms);
        return send_error(d, rid, bad, msg, "calibrate.duration_ms");
    }
    gs_calibration_params_t p = {
        .axes_mask = d->sensor_cfg.axes_mask, .scale = dps_per_lsb(d->sensor_cfg.full_scale_dps),
        .decimation = dec, .target = target,
    };
    if (gs_calibration_begin(&d->cal, &p) != GS_OK) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_INTERNAL,
                          "calibration rejected a validated configuration", NULL);
    }
    d->cal_own_sensor = !atomic_load(&d->streaming);
    if (d->cal_own_sensor) {
        gs_err_t err = d->cfg.sensor.ops->start(d->cfg.sensor.ctx);
        if (err != GS_OK) {
            gs_calibration_cancel(&d->cal);
            return send_error(d, rid, gyrosentinel_v1_ErrorCode_SENSOR, gs_err_to_name(err), NULL);
        }
        gs_ring_clear(d->ring);
    }
    d->cal_rid = rid;
    d->cal_quantile = req->quantile;
    d->cal_k_sigma = req->k_sigma;
    atomic_store(&d->calibrating, true);
    return GS_OK;
}

static gs_err_t finish_calibration(struct gs_device *d)
{
    atomic_store(&d->calibrating, false);
    uint32_t rid = d->cal_rid;
    if (d->cal_own_sensor && !atomic_load(&d->streaming)) {
        (void)d->cfg.sensor.ops->stop(d->cfg.sensor.ctx);
    }
    d->cal_own_sensor = false;
    gs_model_runtime_handle_t rt = d->cfg.model_runtime;
    gs_model_t model;
    const gs_manifest_t *m = gs_model_runtime_manifest(rt);
    if (!m || gs_model_runtime_model(rt, &model) != GS_OK) {
        gs_calibration_cancel(&d->cal);
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_NO_MODEL,
                          GS_MSG_CALIBRATION_MODEL_GONE, NULL);
    }
    gs_calibration_result_t res;
    gs_err_t err = gs_calibration_finish(&d->cal, &model, m->window, m->stride, d->cal_quantile,
                                         d->cal_k_sigma, &res);
    if (err == GS_ERR_INVALID_STATE) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_SENSOR,
                          GS_MSG_CALIBRATION_FLAT,
                          NULL);
    }
    if (err == GS_OK) {
        err = gs_model_runtime_set_normalisation(rt, res.mean, res.std, res.channels, res.threshold);
    }
    if (err != GS_OK) {
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_INTERNAL, gs_err_to_name(err), NULL);
    }
    /* Kept with the active slot, so the device still scores with it after a reboot. */
    int32_t slot = d->cfg.model_store ? gs_model_store_active_slot(d->cfg.model_store) : -1;
    if (slot >= 0) {
        gs_model_calibration_t kept = {.channels = res.channels, .threshold = res.threshold};
        for (uint32_t k = 0; k < res.channels && k < GS_MODEL_CAL_MAX_CHANNELS; k++) {
            kept.mean[k] = res.mean[k];
            kept.std[k] = res.std[k];
        }
        if (gs_model_store_save_calibration(d->cfg.model_store, (uint32_t)slot, &kept) != GS_OK) {
            return send_error(d, rid, gyrosentinel_v1_ErrorCode_STORAGE,
                              "calibration applied until the next reboot, but it could not be saved", NULL);
        }
    }
    if (atomic_load(&d->streaming) && gs_model_runtime_scoring(rt)) {
        /* From now on the stream is scored with the new values (the window restarts). */
        (void)gs_model_runtime_start(rt, d->sensor_cfg.axes_mask,
                                     dps_per_lsb(d->sensor_cfg.full_scale_dps));
    }
    begin_tx(d, rid, gyrosentinel_v1_Envelope_calibration_result_tag);
    gyrosentinel_v1_CalibrationResult *cr = &d->tx.body.calibration_result;
    cr->channel_mean_count = (pb_size_t)res.channels;
    cr->channel_std_count = (pb_size_t)res.channels;
    for (uint32_t k = 0; k < res.channels; k++) {
        cr->channel_mean[k] = res.mean[k];
        cr->channel_std[k] = res.std[k];
    }
    cr->threshold = res.threshold;
    cr->windows = res.windows;
    return send_tx(d);
}

static gs_err_t dispatch(struct gs_device *d)
{
    const gs_envelope_t *r = &d->rx;
    uint32_t rid = r->request_id;
    d->stats.requests++;
    /* An envelope of another protocol version is refused (0 = unset, read as this one); Hello negotiates. */
    if (r->protocol_version != 0 && r->protocol_version != GS_PROTOCOL_VERSION &&
        r->which_body != gyrosentinel_v1_Envelope_hello_tag) {
        char msg[96];
        snprintf(msg, sizeof(msg), GS_MSG_ENVELOPE_VERSION, (unsigned)r->protocol_version);
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_PROTOCOL_VERSION, msg, "protocol_version");
    }
    switch (r->which_body) {
    case gyrosentinel_v1_Envelope_hello_tag:
        return on_hello(d, rid, &r->body.hello);
    case gyrosentinel_v1_Envelope_configure_tag:
        return on_configure(d, rid, &r->body.configure);
    case gyrosentinel_v1_Envelope_start_streaming_tag:
        return on_start(d, rid, &r->body.start_streaming);
    case gyrosentinel_v1_Envelope_stop_streaming_tag:
        return on_stop(d, rid);
    case gyrosentinel_v1_Envelope_get_telemetry_tag:
        return on_telemetry(d, rid);
    case gyrosentinel_v1_Envelope_ping_tag: {
        uint64_t nonce = r->body.ping.nonce;
        begin_tx(d, rid, gyrosentinel_v1_Envelope_pong_tag);
        d->tx.body.pong.nonce = nonce;
        d->tx.body.pong.device_time_us = now_us(d);
        return send_tx(d);
    }
    case gyrosentinel_v1_Envelope_model_begin_tag:
    case gyrosentinel_v1_Envelope_model_chunk_tag:
    case gyrosentinel_v1_Envelope_model_commit_tag:
    case gyrosentinel_v1_Envelope_model_abort_tag:
    case gyrosentinel_v1_Envelope_model_activate_tag:
    case gyrosentinel_v1_Envelope_model_rollback_tag:
    case gyrosentinel_v1_Envelope_get_model_status_tag:
        if (!d->cfg.model_store) {
            return send_error(d, rid, gyrosentinel_v1_ErrorCode_UNSUPPORTED,
                              "this device has no model store", NULL);
        }
        return on_model(d, rid);
    case gyrosentinel_v1_Envelope_calibrate_tag:
        return on_calibrate(d, rid, &r->body.calibrate);
    case 0:
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_UNKNOWN_MESSAGE,
                          GS_MSG_UNKNOWN_BODY, NULL);
    default:
        return send_error(d, rid, gyrosentinel_v1_ErrorCode_UNKNOWN_MESSAGE,
                          GS_MSG_NOT_A_REQUEST, NULL);
    }
}

gs_err_t gs_device_handle_envelope(gs_device_handle_t d, const uint8_t *env, size_t len)
{
    if (!d || (!env && len)) {
        return GS_ERR_INVALID_ARG;
    }
    if (gs_envelope_decode(env, len, &d->rx) != GS_OK) {
        d->decode_errors++;
        /* The request id may be unreadable: answer as unsolicited (0). */
        return send_error(d, 0, gyrosentinel_v1_ErrorCode_MALFORMED,
                          GS_MSG_UNDECODABLE, NULL);
    }
    return dispatch(d);
}

static void on_frame(void *ctx, const uint8_t *env, size_t len)
{
    (void)gs_device_handle_envelope((gs_device_handle_t)ctx, env, len);
}

gs_err_t gs_device_receive(gs_device_handle_t d, const uint8_t *data, size_t len)
{
    if (!d || (!data && len)) {
        return GS_ERR_INVALID_ARG;
    }
    if (len == 0) {
        return GS_OK;
    }
    uint64_t now = now_us(d);
    if (d->rx_partial && now - d->last_rx_us >= GS_RX_IDLE_RESYNC_US) {
        gs_frame_decoder_reset(d->decoder);
        d->decode_errors++;
    }
    d->last_rx_us = now;
    d->rx_partial = data[len - 1] != 0x00;
    return gs_frame_decoder_feed(d->decoder, data, len, on_frame, d);
}

/* ------------------------------------------------------------------ loop steps */

gs_err_t gs_device_sensor_step(gs_device_handle_t d)
{
    if (!d) {
        return GS_ERR_INVALID_ARG;
    }
    if (!atomic_load(&d->streaming) && !atomic_load(&d->calibrating)) {
        return GS_OK;
    }
    for (;;) {
        size_t n = 0;
        gs_err_t err = d->cfg.sensor.ops->read(d->cfg.sensor.ctx, d->sensor_buf,
                                               GS_POP_CHUNK, &n);
        if (err != GS_OK) {
            return err;
        }
        for (size_t i = 0; i < n; i++) {
            (void)gs_ring_push(d->ring, &d->sensor_buf[i]); /* full: counted by the ring */
        }
        if (n < GS_POP_CHUNK) {
            return GS_OK;
        }
    }
}

gs_err_t gs_device_comms_step(gs_device_handle_t d)
{
    if (!d) {
        return GS_ERR_INVALID_ARG;
    }
    bool streaming = atomic_load(&d->streaming);
    if (!streaming && !atomic_load(&d->calibrating)) {
        return GS_OK;
    }
    gs_err_t err = drain(d, streaming);
    if (err == GS_OK && gs_calibration_done(&d->cal)) {
        err = finish_calibration(d);
    }
    if (err != GS_OK || !streaming) {
        return err;
    }
    if (d->max_samples && gs_batcher_kept(d->batcher) >= d->max_samples) {
        (void)stop_streaming(d);
        return send_stream_status(d, 0);
    }
    update_drops(d);
    uint64_t now = now_us(d);
    if (d->dropped_total != d->dropped_reported &&
        now - d->last_drop_report_us >= GS_DROP_REPORT_INTERVAL_US) {
        d->last_drop_report_us = now;
        return send_stream_status(d, 0);
    }
    return GS_OK;
}

bool gs_device_is_streaming(gs_device_handle_t d)
{
    return d && atomic_load(&d->streaming);
}

bool gs_device_is_sampling(gs_device_handle_t d)
{
    return d && (atomic_load(&d->streaming) || atomic_load(&d->calibrating));
}

void gs_device_get_stats(gs_device_handle_t d, gs_device_stats_t *out)
{
    if (!d || !out) {
        return;
    }
    update_drops(d);
    *out = d->stats;
    out->samples = d->samples + d->dropped_total;
    out->dropped_samples = d->dropped_total;
    gs_frame_stats_t fs;
    gs_frame_decoder_get_stats(d->decoder, &fs);
    out->bad_frames = gs_frame_stats_bad(&fs) + d->decode_errors;
    out->next_sequence = gs_batcher_next_sequence(d->batcher);
}

/* ------------------------------------------------------------------ lifecycle */

static void release(struct gs_device *d)
{
    gs_batcher_destroy(d->batcher);
    gs_ring_destroy(d->ring);
    gs_frame_decoder_destroy(d->decoder);
    d->batcher = NULL;
    d->ring = NULL;
    d->decoder = NULL;
    d->in_use = 0;
}

gs_err_t gs_device_create(const gs_device_config_t *config, gs_device_handle_t *out)
{
    if (!config || !out || !config->sensor.ops || !config->sensor.ops->configure ||
        !config->sensor.ops->start || !config->sensor.ops->stop || !config->sensor.ops->read ||
        !config->clock.now_us || !config->write) {
        return GS_ERR_INVALID_ARG;
    }
    struct gs_device *d = NULL;
    for (size_t i = 0; i < GS_MAX_DEVICES; i++) {
        if (!s_devices[i].in_use) {
            d = &s_devices[i];
            break;
        }
    }
    if (!d) {
        return GS_ERR_NO_MEM;
    }
    memset(d, 0, sizeof(*d));
    d->in_use = 1;
    d->cfg = *config;
    atomic_init(&d->streaming, false);
    atomic_init(&d->calibrating, false);

    gyrosentinel_v1_SensorConfig sc = {
        .odr_hz = config->odr_hz, .full_scale_dps = config->full_scale_dps,
        .axes_mask = config->axes_mask, .decimation = config->decimation,
        .batch_size = config->batch_size,
    };
    gs_ring_config_t rc = {.capacity = config->ring_capacity};
    gs_err_t err = GS_ERR_INVALID_ARG;
    gs_sensor_config_t initial = plain_config(&sc);
    if (gs_sensor_config_check(&initial, NULL) != GS_OK) {
        goto fail;
    }
    gs_sensor_settings_t st = {.odr_hz = sc.odr_hz, .full_scale_dps = sc.full_scale_dps};
    float actual = sc.odr_hz;
    if ((err = config->sensor.ops->configure(config->sensor.ctx, &st, &actual)) != GS_OK) {
        goto fail;
    }
    sc.odr_hz = actual;
    gs_batcher_config_t bc = batcher_config(&sc);
    if ((err = gs_frame_decoder_create(NULL, &d->decoder)) != GS_OK ||
        (err = gs_ring_create(&rc, &d->ring)) != GS_OK ||
        (err = gs_batcher_create(&bc, &d->batcher)) != GS_OK) {
        goto fail;
    }
    d->sensor_cfg = sc;
    if (config->model_store) {
        /* A bundle's "scope" is compared with the id this device reports in DeviceInfo. */
        (void)gs_model_store_set_device_id(config->model_store, config->device_id);
    }
    if (config->model_runtime) {
        if (!config->model_store) {
            err = GS_ERR_INVALID_ARG;
            goto fail;
        }
        (void)gs_model_runtime_reload(config->model_runtime); /* a bad model rolls back */
    }
    *out = d;
    return GS_OK;
fail:
    release(d);
    return err;
}

void gs_device_destroy(gs_device_handle_t d)
{
    if (d && d->in_use) {
        if (atomic_load(&d->streaming) || atomic_load(&d->calibrating)) {
            atomic_store(&d->streaming, false);
            atomic_store(&d->calibrating, false);
            (void)d->cfg.sensor.ops->stop(d->cfg.sensor.ctx);
        }
        release(d);
    }
}
