/*
 * TensorFlow Lite Micro model backend (gs_model_backend.h; esp-tflite-micro component, ESP-NN
 * accelerates the int8 FULLY_CONNECTED kernel). Needs ESP-IDF: not built by the host build.
 *
 * Model contract (what sdk-training packages): one subgraph, input and output holding the
 * window's window x channels values in normalised units, sample-major (declared [window,
 * channels], or [window/K, K*channels] for a model that takes K samples per LSTM step: the
 * same bytes, so only the byte count is checked): float32, or int16 (16x8 quantisation: int8 weights, int16
 * activations) / int8, quantised with the tensor's own scale and zero point. TFLite Micro has no TILE op, so a Keras
 * RepeatVector decoder must be exported as CONCATENATION (see DESIGN.md section 3), and a
 * CONCATENATION takes at most 10 inputs (the packager builds a tree). The packaged LSTM is
 * unrolled over the window and starts every window from constant zero state: it has no
 * variable tensors, so nothing carries over between windows. Checked on the host: the default
 * models (float32 and int16x8) load and run in esp-tflite-micro 1.4.0's MicroInterpreter with
 * this resolver and this input/output handling (docs/benchmarks.md section 7).
 */
#include <new>
#include <math.h>
#include <string.h>
#include "esp_log.h"
#include "esp_timer.h"
#include "gs_esp32.h"
#include "gs_model_backend.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace {

#ifdef CONFIG_GS_TFLM_ARENA_KB
constexpr size_t kArenaSize = (size_t)CONFIG_GS_TFLM_ARENA_KB * 1024;
#else
constexpr size_t kArenaSize = 64 * 1024;
#endif
alignas(16) uint8_t g_arena[kArenaSize];
alignas(tflite::MicroInterpreter) uint8_t g_interp_mem[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *g_interp = nullptr;
/* Exactly the ops sdk-training's packager may emit (packaging/internal/OpAllowList.java). */
tflite::MicroMutableOpResolver<9> g_resolver;
bool g_resolver_ready = false;

/* Invoke time on the device, to replace the cost card's estimate with a measurement: logged every
 * kTimingLogEvery invokes as mean and max per window and the mean per sample at the model's stride. */
constexpr const char *kTag = "gs_tflm";
constexpr uint32_t kTimingLogEvery = 1000;
uint32_t g_stride = 1;
uint32_t g_timed = 0;
int64_t g_us_sum = 0;
int64_t g_us_max = 0;

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
    if (ei == 0 || eo == 0 || ti->bytes != n * ei || to->bytes != n * eo) {
        return GS_ERR_INVALID_ARG;
    }
    /* Reset() (which replaced ResetVariableTensors() in esp-tflite-micro 1.3) clears variable
     * tensors, should a model from another writer have any; the packaged models have none. */
    if (g_interp->Reset() != kTfLiteOk) {
        return GS_ERR_IO;
    }
    put_input(ti, in, n);
    const int64_t t0 = esp_timer_get_time();
    if (g_interp->Invoke() != kTfLiteOk) {
        return GS_ERR_IO;
    }
    const int64_t us = esp_timer_get_time() - t0;
    g_us_sum += us;
    g_us_max = us > g_us_max ? us : g_us_max;
    if (++g_timed == kTimingLogEvery) {
        const double mean = (double)g_us_sum / g_timed;
        ESP_LOGI(kTag, "invoke: mean %.0f us, max %lld us per window = %.1f us per sample at stride %u",
                 mean, (long long)g_us_max, mean / g_stride, (unsigned)g_stride);
        g_timed = 0;
        g_us_sum = 0;
        g_us_max = 0;
    }
    get_output(to, out, n);
    return GS_OK;
}

/* The bundle's part named by the manifest ("model.tflite"), in place (mapped flash): the
 * FlatBuffer must stay where it is while the interpreter lives, which the runtime guarantees
 * until unload(). */
gs_err_t load(void *ctx, const gs_bundle_t *bundle, const gs_manifest_t *m)
{
    (void)ctx;
    release();
    const gs_bundle_part_t *part = gs_bundle_find(bundle, m->model_part);
    if (!part) {
        return GS_ERR_NO_MODEL;
    }
    if (part->size < 8) {
        return GS_ERR_MODEL_LOAD;
    }
    const uint8_t *fb = part->data;
    if (((uintptr_t)fb & 15u) != 0) {
        /* ModelBundle places every .tflite part at a 16-byte-aligned payload offset (a ".align"
         * filler part) and slots start aligned: a misaligned model comes from another writer. */
        return GS_ERR_MODEL_LOAD;
    }
    const tflite::Model *model = tflite::GetModel(fb);
    if (model->version() != TFLITE_SCHEMA_VERSION) {
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
        g_resolver_ready = true;
    }
    g_interp = new (g_interp_mem) tflite::MicroInterpreter(model, g_resolver, g_arena, kArenaSize);
    if (g_interp->AllocateTensors() != kTfLiteOk) {
        release();
        return GS_ERR_NO_MEM; /* the runtime reports the failed load: the store rolls back */
    }
    TfLiteTensor *ti = g_interp->input(0);
    const size_t ei = element_size(ti->type);
    if (ei == 0 || ti->bytes != (size_t)m->window * m->channels * ei) {
        release();
        return GS_ERR_MODEL_LOAD; /* the graph does not take window x channels float/int16/int8 */
    }
    g_stride = m->stride > 0 ? m->stride : m->window;
    g_timed = 0;
    g_us_sum = 0;
    g_us_max = 0;
    ESP_LOGI(kTag, "model loaded: arena %u of %u bytes used", (unsigned)g_interp->arena_used_bytes(),
             (unsigned)kArenaSize);
    return GS_OK;
}

void unload(void *ctx)
{
    (void)ctx;
    release();
}

const gs_model_backend_ops_t kOps = {"tflm", load, run, unload};

}  // namespace

extern "C" gs_err_t gs_model_tflm_backend(gs_model_backend_t *out)
{
    if (!out) {
        return GS_ERR_INVALID_ARG;
    }
    out->ops = &kOps;
    out->ctx = nullptr;
    return GS_OK;
}
