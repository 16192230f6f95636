/*
 * TensorFlow Lite Micro backend of gs_model_t (esp-tflite-micro component; ESP-NN
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
#include "gs_scoring.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace {

constexpr size_t kArenaSize = 96 * 1024;
alignas(16) uint8_t g_arena[kArenaSize];
alignas(tflite::MicroInterpreter) uint8_t g_interp_mem[sizeof(tflite::MicroInterpreter)];
tflite::MicroInterpreter *g_interp = nullptr;
tflite::MicroMutableOpResolver<10> g_resolver;
bool g_resolver_ready = false;

gs_err_t reconstruct(void *ctx, const float *in, float *out, uint32_t window, uint32_t channels)
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

const gs_model_ops_t kOps = {reconstruct};

}  // namespace

extern "C" gs_err_t gs_tflm_model_load(const uint8_t *tflite, size_t len, gs_model_t *out)
{
    if (!tflite || len < 8 || !out) {
        return GS_ERR_INVALID_ARG;
    }
    const tflite::Model *model = tflite::GetModel(tflite);
    if (model->version() != TFLITE_SCHEMA_VERSION) {
        return GS_ERR_UNSUPPORTED;
    }
    if (!g_resolver_ready) {
        g_resolver.AddFullyConnected();
        g_resolver.AddConcatenation();
        g_resolver.AddSplit();
        g_resolver.AddLogistic();
        g_resolver.AddTanh();
        g_resolver.AddMul();
        g_resolver.AddAdd();
        g_resolver.AddReshape();
        g_resolver.AddUnidirectionalSequenceLSTM();
        g_resolver.AddStridedSlice();
        g_resolver_ready = true;
    }
    if (g_interp) {
        g_interp->~MicroInterpreter();
        g_interp = nullptr;
    }
    g_interp = new (g_interp_mem) tflite::MicroInterpreter(model, g_resolver, g_arena, kArenaSize);
    if (g_interp->AllocateTensors() != kTfLiteOk) {
        g_interp->~MicroInterpreter();
        g_interp = nullptr;
        return GS_ERR_NO_MEM; /* the caller reports a failed load: the store rolls back */
    }
    out->ops = &kOps;
    out->ctx = nullptr;
    return GS_OK;
}
