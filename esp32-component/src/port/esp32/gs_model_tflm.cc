/*
 * TensorFlow Lite Micro model backend (gs_model_backend.h; esp-tflite-micro component, ESP-NN
 * accelerates the int8 FULLY_CONNECTED kernel). Not compiled on the host.
 *
 * Model contract (what sdk-training packages): one subgraph, input and output float32
 * [1, window, channels], normalised units. TFLite Micro has no TILE op, so a Keras
 * RepeatVector decoder must be exported as CONCATENATION (see DESIGN.md section 3). LSTM
 * state tensors are variables: they are reset before every window so windows stay
 * independent, matching how the model was trained.
 */
#include <new>
#include <string.h>
#include "gs_esp32.h"
#include "gs_model_backend.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace {

constexpr size_t kArenaSize = 96 * 1024;
alignas(16) uint8_t g_arena[kArenaSize];
alignas(tflite::MicroInterpreter) uint8_t g_interp_mem[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *g_interp = nullptr;
/* Exactly the ops sdk-training's packager may emit (packaging/internal/OpAllowList.java). */
tflite::MicroMutableOpResolver<9> g_resolver;
bool g_resolver_ready = false;
/* FlatBuffers need the model 4-byte aligned (16 for weight buffers); a part at an unaligned
 * payload offset is copied here instead of being used in place from mapped flash. */
constexpr size_t kModelCopyMax = 64 * 1024;
alignas(16) uint8_t g_model_copy[kModelCopyMax];

void release()
{
    if (g_interp) {
        g_interp->~MicroInterpreter();
        g_interp = nullptr;
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
    if (ti->type != kTfLiteFloat32 || to->type != kTfLiteFloat32 ||
        ti->bytes != n * sizeof(float) || to->bytes != n * sizeof(float)) {
        return GS_ERR_INVALID_ARG;
    }
    g_interp->ResetVariableTensors();
    memcpy(ti->data.f, in, n * sizeof(float));
    if (g_interp->Invoke() != kTfLiteOk) {
        return GS_ERR_IO;
    }
    memcpy(out, to->data.f, n * sizeof(float));
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
        if (part->size > kModelCopyMax) {
            return GS_ERR_NO_MEM;
        }
        memcpy(g_model_copy, fb, part->size);
        fb = g_model_copy;
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
    if (ti->type != kTfLiteFloat32 || ti->bytes != (size_t)m->window * m->channels * sizeof(float)) {
        release();
        return GS_ERR_MODEL_LOAD; /* the graph does not take [1, window, channels] float */
    }
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
