/*
 * Device side of the GyroSentinel protocol: decodes framed requests, answers them (same
 * request_id), and streams SampleBatch envelopes from the sample ring.
 *
 * Threading: gs_device_sensor_step() is the producer (sensor task); every other call belongs
 * to the comms task. On a single-threaded host both simply alternate.
 *
 *     gs_device_handle_t dev;
 *     gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
 *     cfg.sensor = my_sensor; cfg.clock = my_clock; cfg.write = uart_write; ...
 *     gs_device_create(&cfg, &dev);
 *     for (;;) {                       // comms task
 *         n = uart_read(buf, ...);
 *         gs_device_receive(dev, buf, n);
 *         gs_device_comms_step(dev);
 *     }
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_contract.h"
#include "gs_sensor.h"
#include "gs_frame.h"
#include "gs_model_store.h"
#include "gs_model_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_device *gs_device_handle_t;

/** Sends one complete frame (delimiter included), or with `message_link` one bare envelope.
 *  Must write all of it or fail. */
typedef gs_err_t (*gs_device_write_fn)(void *ctx, const uint8_t *frame, size_t len);

/** Optional system figures for Telemetry (heap, CPU load); NULL on the host. */
typedef struct {
    uint32_t free_heap;
    uint32_t min_free_heap;
    float cpu_load;
} gs_system_stats_t;
typedef void (*gs_system_stats_fn)(void *ctx, gs_system_stats_t *out);

typedef struct {
    gs_sensor_t sensor;
    gs_clock_t clock;
    gs_device_write_fn write;
    void *write_ctx;
    /** The transport carries one envelope per message (MQTT): `write` gets bare envelopes,
     *  without COBS/CRC framing; requests come in through gs_device_handle_envelope(). */
    bool message_link;
    gs_system_stats_fn system_stats;   /**< optional */
    void *system_stats_ctx;
    const char *device_id;             /**< DeviceInfo.device_id (max 47 chars) */
    const char *firmware_version;      /**< DeviceInfo.firmware_version (max 31 chars) */
    const char *chip;                  /**< "esp32s3", "virtual" (max 15 chars) */
    size_t ring_capacity;              /**< power of two <= GS_RING_MAX_CAPACITY */
    /** Optional: enables the Model* requests (NULL: they are answered UNSUPPORTED). */
    gs_model_store_handle_t model_store;
    /** Optional (needs model_store): runs the active model on the stream (InferenceResult,
     *  AnomalyEvent) and loads each model that is activated (MODEL_LOAD_FAILED + rollback). */
    gs_model_runtime_handle_t model_runtime;
    /** Initial sensor configuration (what DeviceInfo reports before any configure). */
    float odr_hz;
    uint32_t full_scale_dps;
    uint32_t axes_mask;
    uint32_t decimation;
    uint32_t batch_size;
} gs_device_config_t;

/** The sensor configuration defaults are the device contract's (gs_contract.h). */
#define GS_DEVICE_CONFIG_DEFAULT() {                                                   \
        .device_id = "gs-device", .firmware_version = "0.1.0",                         \
        .chip = "unknown", .ring_capacity = 1024, .odr_hz = GS_DEFAULT_ODR_HZ,         \
        .full_scale_dps = GS_DEFAULT_FULL_SCALE_DPS, .axes_mask = GS_DEFAULT_AXES_MASK, \
        .decimation = GS_DEFAULT_DECIMATION, .batch_size = GS_DEFAULT_BATCH_SIZE }

/** Protocol versions this device speaks. */
#define GS_DEVICE_MIN_PROTOCOL ((uint32_t)GS_PROTOCOL_MIN)
#define GS_DEVICE_MAX_PROTOCOL ((uint32_t)GS_PROTOCOL_MAX)

/** Create from the static pool; applies the initial sensor configuration. */
gs_err_t gs_device_create(const gs_device_config_t *config, gs_device_handle_t *out);
void gs_device_destroy(gs_device_handle_t dev);

/** Comms task: feed received transport bytes; complete requests are answered at once. */
gs_err_t gs_device_receive(gs_device_handle_t dev, const uint8_t *data, size_t len);

/** Comms task: handle one already-deframed envelope (message transports such as MQTT). */
gs_err_t gs_device_handle_envelope(gs_device_handle_t dev, const uint8_t *env, size_t len);

/** Sensor task: move new sensor samples into the ring while streaming. */
gs_err_t gs_device_sensor_step(gs_device_handle_t dev);

/** Comms task: turn queued samples into SampleBatch frames; sends StreamStatus when
 *  max_samples is reached or new drops are seen. */
gs_err_t gs_device_comms_step(gs_device_handle_t dev);

bool gs_device_is_streaming(gs_device_handle_t dev);

/** The sensor must be read: streaming, or collecting samples for a Calibrate request. */
bool gs_device_is_sampling(gs_device_handle_t dev);

typedef struct {
    uint64_t samples;          /**< produced since StartStreaming */
    uint64_t dropped_samples;  /**< dropped since StartStreaming */
    uint64_t batches_sent;     /**< since create */
    uint64_t requests;         /**< decoded requests handled */
    uint64_t bad_frames;       /**< framing errors + undecodable envelopes */
    uint32_t next_sequence;
} gs_device_stats_t;

void gs_device_get_stats(gs_device_handle_t dev, gs_device_stats_t *out);

#ifdef __cplusplus
}
#endif
