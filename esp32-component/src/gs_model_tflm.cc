/*
 * TensorFlow Lite Micro model backend (gs_model_tflm.h): the same file on the ESP32-S3
 * (esp-tflite-micro component, ESP-NN accelerates the int8 FULLY_CONNECTED kernel) and on the host
 * (the same pinned TFLite Micro with reference kernels, cmake/gs_tflm.cmake), where the conformance
 * test runs every packaged model through it. No ESP-IDF header: clock and log come from the config.
 *
 * Model contract (what sdk-training packages): one subgraph, input and output holding the
 * window's window x channels values in normalised units, sample-major (declared [window,
 * channels], or [window/K, K*channels] for a model that takes K samples per LSTM step: the
 * same bytes, so only the byte count is checked): float32, or int16 (16x8 quantisation: int8 weights, int16
 * activations) / int8, quantised with the tensor's own scale and zero point. A model whose manifest
 * says "output": "channel_scores" (the statistical families, float32) returns `channels` values instead. TFLite Micro has no TILE op, so a Keras
 * RepeatVector decoder must be exported as CONCATENATION (see DESIGN.md section 3), and a
 * CONCATENATION takes at most 10 inputs (the packager builds a tree). The packaged LSTM is
 * unrolled over the window and starts every window from constant zero state: it has no
 * variable tensors, so nothing carries over between windows.
 */
#include <new>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "gs_config.h"
#include "gs_model_tflm.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"
#include "tensorflow/lite/schema/schema_utils.h"

namespace {

constexpr size_t kArenaSize = GS_TFLM_ARENA_BYTES;
alignas(16) uint8_t g_arena[kArenaSize];
alignas(tflite::MicroInterpreter) uint8_t g_interp_mem[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *g_interp = nullptr;
/* Exactly the ops sdk-training's packager may emit (packaging/internal/OpAllowList.java). The
 * conformance test proves the two agree: every packaged model loads through this resolver. */
tflite::MicroMutableOpResolver<16> g_resolver;
bool g_resolver_ready = false;
gs_model_tflm_config_t g_config;
char g_failure[128];
uint32_t g_operators = 0;
/* Values the loaded model returns per window: window x channels (a reconstruction) or channels
 * (manifest "output": "channel_scores", the statistical families). */
size_t g_out_n = 0;

/* Invoke time on the device, to replace the cost card's estimate with a measurement: logged every
 * kTimingLogEvery invokes as mean and max per window and the mean per sample at the model's stride. */
constexpr uint32_t kTimingLogEvery = 1000;
uint32_t g_stride = 1;
uint32_t g_timed = 0;
uint64_t g_us_sum = 0;
uint64_t g_us_max = 0;

void logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void logf(const char *fmt, ...)
{
    if (!g_config.log) {
        return;
    }
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    g_config.log(g_config.log_ctx, line);
}

size_t arena_size()
{
    return g_config.arena_limit > 0 && g_config.arena_limit < kArenaSize ? g_config.arena_limit : kArenaSize;
}

void fail(const char *why)
{
    snprintf(g_failure, sizeof g_failure, "%s", why);
}

void release()
{
    if (g_interp) {
        g_interp->~MicroInterpreter();
        g_interp = nullptr;
    }
}

size_t element_size(TfLiteType t)
{
    switch (t) {
    case kTfLiteFloat32: return sizeof(float);
    case kTfLiteInt16: return sizeof(int16_t);
    case kTfLiteInt8: return sizeof(int8_t);
    default: return 0;
    }
}

int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Writes normalised floats into the input tensor, quantising with its scale and zero point. */
void put_input(TfLiteTensor *t, const float *in, size_t n)
{
    if (t->type == kTfLiteFloat32) {
        memcpy(t->data.f, in, n * sizeof(float));
        return;
    }
    const float inv = 1.0f / t->params.scale;
    const int32_t zp = t->params.zero_point;
    for (size_t i = 0; i < n; i++) {
        int32_t q = (int32_t)lrintf(in[i] * inv) + zp;
        if (t->type == kTfLiteInt16) {
            t->data.i16[i] = (int16_t)clamp(q, -32768, 32767);
        } else {
            t->data.int8[i] = (int8_t)clamp(q, -128, 127);
        }
    }
}

void get_output(const TfLiteTensor *t, float *out, size_t n)
{
    if (t->type == kTfLiteFloat32) {
        memcpy(out, t->data.f, n * sizeof(float));
        return;
    }
    const float s = t->params.scale;
    const int32_t zp = t->params.zero_point;
    for (size_t i = 0; i < n; i++) {
        int32_t q = t->type == kTfLiteInt16 ? t->data.i16[i] : t->data.int8[i];
        out[i] = (float)(q - zp) * s;
    }
}

gs_err_t run(void *ctx, const float *in, float *out, uint32_t window, uint32_t channels)
{
    (void)ctx;
    if (!g_interp) {
        return GS_ERR_INVALID_STATE;
    }
    TfLiteTensor *ti = g_interp->input(0);
    TfLiteTensor *to = g_interp->output(0);
    const size_t n = (size_t)window * channels;
    const size_t ei = element_size(ti->type);
    const size_t eo = element_size(to->type);
    if (ei == 0 || eo == 0 || ti->bytes != n * ei || to->bytes != g_out_n * eo || g_out_n > n) {
        return GS_ERR_INVALID_ARG;
    }
    /* Reset() (which replaced ResetVariableTensors() in esp-tflite-micro 1.3) clears variable
     * tensors, should a model from another writer have any; the packaged models have none. */
    if (g_interp->Reset() != kTfLiteOk) {
        return GS_ERR_IO;
    }
    put_input(ti, in, n);
    const bool timed = g_config.clock.now_us != nullptr;
    const uint64_t t0 = timed ? g_config.clock.now_us(g_config.clock.ctx) : 0;
    if (g_interp->Invoke() != kTfLiteOk) {
        return GS_ERR_IO;
    }
    if (timed) {
        const uint64_t us = g_config.clock.now_us(g_config.clock.ctx) - t0;
        g_us_sum += us;
        g_us_max = us > g_us_max ? us : g_us_max;
        if (++g_timed == kTimingLogEvery) {
            const double mean = (double)g_us_sum / g_timed;
            logf("invoke: mean %.0f us, max %llu us per window = %.1f us per sample at stride %u", mean,
                 (unsigned long long)g_us_max, mean / g_stride, (unsigned)g_stride);
            g_timed = 0;
            g_us_sum = 0;
            g_us_max = 0;
        }
    }
    get_output(to, out, g_out_n);
    return GS_OK;
}

/* The bundle's part named by the manifest ("model.tflite"), in place (mapped flash): the
 * FlatBuffer must stay where it is while the interpreter lives, which the runtime guarantees
 * until unload(). */
gs_err_t load(void *ctx, const gs_bundle_t *bundle, const gs_manifest_t *m)
{
    (void)ctx;
    release();
    g_failure[0] = '\0';
    const gs_bundle_part_t *part = gs_bundle_find(bundle, m->model_part);
    if (!part) {
        fail("the bundle has no model part");
        return GS_ERR_NO_MODEL;
    }
    if (part->size < 8) {
        fail("the model part is shorter than a FlatBuffer header");
        return GS_ERR_MODEL_LOAD;
    }
    const uint8_t *fb = part->data;
    if (((uintptr_t)fb & 15u) != 0) {
        /* ModelBundle places every .tflite part at a 16-byte-aligned payload offset (a ".align"
         * filler part) and slots start aligned: a misaligned model comes from another writer. */
        fail("the model part is not 16-byte aligned");
        return GS_ERR_MODEL_LOAD;
    }
    const tflite::Model *model = tflite::GetModel(fb);
    if (model->version() != TFLITE_SCHEMA_VERSION) {
        snprintf(g_failure, sizeof g_failure, "schema version %u, this TFLite Micro reads %d",
                 (unsigned)model->version(), TFLITE_SCHEMA_VERSION);
        return GS_ERR_UNSUPPORTED;
    }
    if (!g_resolver_ready) {
        g_resolver.AddFullyConnected();
        g_resolver.AddAdd();
        g_resolver.AddMul();
        g_resolver.AddLogistic();
        g_resolver.AddTanh();
        g_resolver.AddSplit();
        g_resolver.AddStridedSlice();
        g_resolver.AddConcatenation();
        g_resolver.AddReshape();
        /* the convolutional autoencoder (ESP-NN's int8 convolution on the ESP32-S3) */
        g_resolver.AddConv2D();
        /* the statistical families' features (float32): packaging/internal/FeatureGraphBuilder.java */
        g_resolver.AddTranspose();
        g_resolver.AddAbs();
        g_resolver.AddLog();
        g_resolver.AddRsqrt();
        g_resolver.AddDiv();
        g_resolver.AddReduceMax();
        g_resolver_ready = true;
    }
    /* An op the resolver lacks would also fail AllocateTensors(); name it instead of reporting
     * a full arena. */
    const auto *codes = model->operator_codes();
    for (flatbuffers::uoffset_t i = 0; codes != nullptr && i < codes->size(); i++) {
        const tflite::BuiltinOperator op = tflite::GetBuiltinCode(codes->Get(i));
        if (op == tflite::BuiltinOperator_CUSTOM || g_resolver.FindOp(op) == nullptr) {
            snprintf(g_failure, sizeof g_failure, "op %s is not in the firmware's op resolver",
                     tflite::EnumNameBuiltinOperator(op));
            return GS_ERR_MODEL_LOAD;
        }
    }
    const size_t arena = arena_size();
    g_interp = new (g_interp_mem) tflite::MicroInterpreter(model, g_resolver, g_arena, arena);
    if (g_interp->AllocateTensors() != kTfLiteOk) {
        release();
        snprintf(g_failure, sizeof g_failure,
                 "AllocateTensors failed: more than the %u-byte arena needed, or a kernel refused a tensor "
                 "(see TFLM's log)", (unsigned)arena);
        return GS_ERR_NO_MEM; /* the runtime reports the failed load: the store rolls back */
    }
    TfLiteTensor *ti = g_interp->input(0);
    TfLiteTensor *to = g_interp->output(0);
    const size_t ei = element_size(ti->type);
    const size_t n = (size_t)m->window * m->channels;
    const size_t out_n = m->output == GS_MODEL_OUTPUT_CHANNEL_SCORES ? (size_t)m->channels : n;
    if (ei == 0 || ti->bytes != n * ei || element_size(to->type) == 0 ||
        to->bytes != out_n * element_size(to->type)) {
        release();
        snprintf(g_failure, sizeof g_failure,
                 "the graph does not take window x channels = %u and return %u float32/int16/int8 values",
                 (unsigned)n, (unsigned)out_n);
        return GS_ERR_MODEL_LOAD;
    }
    g_out_n = out_n;
    const auto *subgraphs = model->subgraphs();
    g_operators = subgraphs && subgraphs->size() > 0 && subgraphs->Get(0)->operators()
                      ? subgraphs->Get(0)->operators()->size() : 0;
    g_stride = m->stride > 0 ? m->stride : m->window;
    g_timed = 0;
    g_us_sum = 0;
    g_us_max = 0;
    logf("model loaded: arena %u of %u bytes used", (unsigned)g_interp->arena_used_bytes(), (unsigned)arena);
    return GS_OK;
}

void unload(void *ctx)
{
    (void)ctx;
    release();
}

const gs_model_backend_ops_t kOps = {"tflm", load, run, unload};

}  // namespace

extern "C" gs_err_t gs_model_tflm_backend(const gs_model_tflm_config_t *config, gs_model_backend_t *out)
{
    if (!out) {
        return GS_ERR_INVALID_ARG;
    }
    if (config) {
        g_config = *config;
    } else {
        g_config = gs_model_tflm_config_t{};
    }
    out->ops = &kOps;
    out->ctx = nullptr;
    return GS_OK;
}

extern "C" gs_err_t gs_model_tflm_info(gs_model_tflm_info_t *out)
{
    if (!out) {
        return GS_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    out->arena_size = arena_size();
    memcpy(out->failure, g_failure, sizeof out->failure);
    if (!g_interp) {
        return GS_ERR_NO_MODEL;
    }
    out->arena_used = g_interp->arena_used_bytes();
    out->input_bytes = (uint32_t)element_size(g_interp->input(0)->type);
    out->operators = g_operators;
    return GS_OK;
}
