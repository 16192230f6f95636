/*
 * TensorFlow Lite Micro model backend (gs_model_backend.h), part "model.tflite" of the bundle.
 *
 * The same source (src/gs_model_tflm.cc) runs on the ESP32-S3 (esp-tflite-micro, ESP-NN kernels)
 * and on the host (TFLite Micro built from the same pinned sources with its reference kernels:
 * the conformance test and tools/gs_tflm_run). It includes no ESP-IDF header: the device's clock
 * and log come in through the config.
 *
 *     gs_model_tflm_config_t tc = { .clock = gs_esp32_clock(), .log = my_log };
 *     gs_model_backend_t backend;
 *     gs_model_tflm_backend(&tc, &backend);      // then gs_model_runtime_config_t.backend
 *
 * One instance (static MicroInterpreter and tensor arena of GS_TFLM_ARENA_BYTES, Kconfig
 * GS_TFLM_ARENA_KB, default 64 KiB). The op resolver holds exactly the ops the packager may emit
 * (sdk-training OpAllowList): FULLY_CONNECTED, ADD, MUL, LOGISTIC, TANH, SPLIT, STRIDED_SLICE,
 * CONCATENATION, RESHAPE. load() returns GS_ERR_NO_MEM when the arena is too small,
 * GS_ERR_MODEL_LOAD when the graph uses another op or does not take window x channels values.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_model_backend.h"
#include "gs_sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /** Optional (now_us NULL: invokes are not timed): times each invoke for the timing log. */
    gs_clock_t clock;
    /**
     * Optional: one line per event (model loaded with the arena used; every 1000 invokes the
     * mean and max invoke time per window and per sample), without a trailing newline.
     */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /**
     * 0: load() may use the whole static arena (GS_TFLM_ARENA_BYTES). Otherwise at most this many bytes
     * of it: host tools measure the smallest arena a model loads in (AllocateTensors needs temporary
     * space beyond the final arena_used_bytes()).
     */
    size_t arena_limit;
} gs_model_tflm_config_t;

/** Binds the backend. `config` may be NULL (no clock, no log); it is copied. */
gs_err_t gs_model_tflm_backend(const gs_model_tflm_config_t *config, gs_model_backend_t *out);

/** What the loaded model takes (for tools and tests). */
typedef struct {
    size_t arena_size;        /**< the arena load() may use (GS_TFLM_ARENA_BYTES or the config's limit) */
    size_t arena_used;        /**< MicroInterpreter::arena_used_bytes() after AllocateTensors */
    uint32_t input_bytes;     /**< element size of input and output: 4 float32, 2 int16, 1 int8 */
    uint32_t operators;       /**< operators in the subgraph */
    char failure[128];        /**< why the last load() failed (empty after a successful one) */
} gs_model_tflm_info_t;

/**
 * Fills *out about the loaded model, or, when the last load() failed, its reason in `failure`
 * (GS_ERR_NO_MODEL then). TFLite Micro's own messages go to its DebugLog (stderr on the host).
 */
gs_err_t gs_model_tflm_info(gs_model_tflm_info_t *out);

#ifdef __cplusplus
}
#endif
