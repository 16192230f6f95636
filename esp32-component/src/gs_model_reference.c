/*
 * Plain-C float reference of the GyroSentinel LSTM autoencoder (sdk-training/MODEL.md). It
 * mirrors io.gyrosentinel.training.internal.ReferenceForward operation for operation (float32
 * accumulation in the same order, sigmoid and tanh evaluated in double and rounded to float),
 * so host results agree with Java to well below 1e-5.
 */
#include <math.h>
#include <string.h>
#include "gs_model_backend.h"
#include "gs_scoring.h"

#define REF_MAGIC "GSRF"
/* Version 1: no samples_per_step field (one sample per LSTM step). Version 2 adds it after channels. */
#define REF_VERSION_1 1u
#define REF_VERSION_2 2u
#define REF_MAX_STEPS GS_SCORING_MAX_WINDOW

typedef struct {
    uint32_t window;
    uint32_t channels;
    uint32_t samples_per_step; /* K: the LSTM runs over window/K frames of K*channels values */
    uint32_t encoders;
    uint32_t layers;
    uint32_t units[GS_REFERENCE_MAX_LAYERS];
    uint32_t inputs[GS_REFERENCE_MAX_LAYERS];
    const float *kernel[GS_REFERENCE_MAX_LAYERS];
    const float *recurrent[GS_REFERENCE_MAX_LAYERS];
    const float *bias[GS_REFERENCE_MAX_LAYERS];
    const float *out_kernel;
    const float *out_bias;
    int loaded;
} ref_model_t;

static ref_model_t s_model;
/* Weights are copied out of the payload: its float arrays are not necessarily aligned. */
static float s_params[GS_REFERENCE_MAX_PARAMS];
static float s_seq_a[REF_MAX_STEPS * GS_REFERENCE_MAX_UNITS];
static float s_seq_b[REF_MAX_STEPS * GS_REFERENCE_MAX_UNITS];

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static gs_err_t ref_load(void *ctx, const gs_bundle_t *bundle, const gs_manifest_t *m)
{
    (void)ctx;
    memset(&s_model, 0, sizeof(s_model));
    const gs_bundle_part_t *part = gs_bundle_find(bundle, GS_REFERENCE_PART);
    if (!part) {
        return GS_ERR_NO_MODEL;
    }
    const uint8_t *p = part->data;
    size_t len = part->size;
    if (len < 24 || memcmp(p, REF_MAGIC, 4) != 0) {
        return GS_ERR_MODEL_LOAD;
    }
    const uint32_t version = rd32(p + 4);
    if (version != REF_VERSION_1 && version != REF_VERSION_2) {
        return GS_ERR_MODEL_LOAD;
    }
    const size_t fixed = version == REF_VERSION_1 ? 24u : 28u; /* bytes before units[] */
    if (len < fixed) {
        return GS_ERR_MODEL_LOAD;
    }
    ref_model_t *r = &s_model;
    r->window = rd32(p + 8);
    r->channels = rd32(p + 12);
    r->samples_per_step = version == REF_VERSION_1 ? 1u : rd32(p + 16);
    r->encoders = rd32(p + fixed - 8);
    uint32_t decoders = rd32(p + fixed - 4);
    if (r->encoders < 1 || decoders < 1 || r->encoders > GS_REFERENCE_MAX_LAYERS ||
        decoders > GS_REFERENCE_MAX_LAYERS - r->encoders) {
        return GS_ERR_MODEL_LOAD;
    }
    r->layers = r->encoders + decoders;
    size_t header = fixed + 4u * r->layers + 4u;
    if (len < header) {
        return GS_ERR_MODEL_LOAD;
    }
    /* The manifest says what the firmware feeds in; the weights must agree with it. */
    if (r->window != m->window || r->channels != m->channels || r->window > REF_MAX_STEPS ||
        r->channels == 0 || r->channels > GS_SCORING_MAX_CHANNELS || r->samples_per_step == 0 ||
        r->window % r->samples_per_step != 0 || r->window / r->samples_per_step < 2) {
        return GS_ERR_MODEL_LOAD;
    }
    const uint32_t frame = r->samples_per_step * r->channels; /* first input and output width */
    uint64_t need = 0;
    uint32_t width = frame;
    for (uint32_t l = 0; l < r->layers; l++) {
        uint32_t u = rd32(p + fixed + 4u * l);
        if (u == 0 || u > GS_REFERENCE_MAX_UNITS) {
            return GS_ERR_MODEL_LOAD;
        }
        r->units[l] = u;
        r->inputs[l] = width;
        need += (uint64_t)width * 4u * u + (uint64_t)u * 4u * u + 4u * u;
        width = u;
    }
    need += (uint64_t)width * frame + frame;
    uint32_t count = rd32(p + header - 4);
    if (count != need || (uint64_t)len != header + 4u * need) {
        return GS_ERR_MODEL_LOAD;
    }
    if (need > GS_REFERENCE_MAX_PARAMS) {
        return GS_ERR_NO_MEM;
    }
    const uint8_t *f = p + header;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t bits = rd32(f + 4u * i);
        memcpy(&s_params[i], &bits, sizeof(float));
        if (!isfinite(s_params[i])) {
            return GS_ERR_MODEL_LOAD;
        }
    }
    const float *q = s_params;
    for (uint32_t l = 0; l < r->layers; l++) {
        uint32_t u = r->units[l];
        r->kernel[l] = q, q += (size_t)r->inputs[l] * 4u * u;
        r->recurrent[l] = q, q += (size_t)u * 4u * u;
        r->bias[l] = q, q += 4u * u;
    }
    r->out_kernel = q, q += (size_t)width * frame;
    r->out_bias = q;
    r->loaded = 1;
    return GS_OK;
}

static float sigmoid(float v)
{
    return (float)(1.0 / (1.0 + exp(-(double)v)));
}

/* One LSTM layer over `steps` inputs of width in -> steps outputs of width U. */
static void lstm(const ref_model_t *r, uint32_t l, const float *seq, float *out, uint32_t steps)
{
    const uint32_t u = r->units[l], in = r->inputs[l], g4 = 4u * u;
    const float *kernel = r->kernel[l], *rec = r->recurrent[l], *bias = r->bias[l];
    float h[GS_REFERENCE_MAX_UNITS] = {0};
    float c[GS_REFERENCE_MAX_UNITS] = {0};
    float z[4u * GS_REFERENCE_MAX_UNITS];
    for (uint32_t s = 0; s < steps; s++) {
        memcpy(z, bias, g4 * sizeof(float));
        for (uint32_t k = 0; k < in; k++) {
            const float xv = seq[s * in + k];
            const float *row = &kernel[k * g4];
            for (uint32_t j = 0; j < g4; j++) {
                z[j] += xv * row[j];
            }
        }
        for (uint32_t k = 0; k < u; k++) {
            const float hv = h[k];
            const float *row = &rec[k * g4];
            for (uint32_t j = 0; j < g4; j++) {
                z[j] += hv * row[j];
            }
        }
        for (uint32_t j = 0; j < u; j++) {
            float i = sigmoid(z[j]);
            float fg = sigmoid(z[u + j]);
            float g = (float)tanh((double)z[2u * u + j]);
            float o = sigmoid(z[3u * u + j]);
            c[j] = fg * c[j] + i * g;
            h[j] = o * (float)tanh((double)c[j]);
        }
        memcpy(&out[s * u], h, u * sizeof(float));
    }
}

static gs_err_t ref_run(void *ctx, const float *in, float *out, uint32_t window, uint32_t channels)
{
    (void)ctx;
    const ref_model_t *r = &s_model;
    if (!r->loaded) {
        return GS_ERR_INVALID_STATE;
    }
    if (!in || !out || window != r->window || channels != r->channels) {
        return GS_ERR_INVALID_ARG;
    }
    /* Frames: window/K steps of K*channels values, the same row-major floats as [window][channels]. */
    const uint32_t t = window / r->samples_per_step;
    const uint32_t frame = r->samples_per_step * channels;
    const float *seq = in;
    float *dst = s_seq_a;
    uint32_t width = frame;
    for (uint32_t l = 0; l < r->encoders; l++) {
        lstm(r, l, seq, dst, t);
        width = r->units[l];
        seq = dst;
        dst = dst == s_seq_a ? s_seq_b : s_seq_a;
    }
    /* Latent repeat: every decoder step sees the encoder's final h. */
    for (uint32_t s = 0; s < t; s++) {
        memcpy(&dst[s * width], &seq[(t - 1) * width], width * sizeof(float));
    }
    seq = dst;
    dst = dst == s_seq_a ? s_seq_b : s_seq_a;
    for (uint32_t l = r->encoders; l < r->layers; l++) {
        lstm(r, l, seq, dst, t);
        width = r->units[l];
        seq = dst;
        dst = dst == s_seq_a ? s_seq_b : s_seq_a;
    }
    for (uint32_t s = 0; s < t; s++) {
        for (uint32_t o = 0; o < frame; o++) {
            float acc = r->out_bias[o];
            for (uint32_t k = 0; k < width; k++) {
                acc += seq[s * width + k] * r->out_kernel[k * frame + o];
            }
            out[s * frame + o] = acc;
        }
    }
    return GS_OK;
}

static void ref_unload(void *ctx)
{
    (void)ctx;
    s_model.loaded = 0;
}

static const gs_model_backend_ops_t s_ops = {
    .name = "reference", .load = ref_load, .run = ref_run, .unload = ref_unload,
};

gs_err_t gs_model_reference_backend(gs_model_backend_t *out)
{
    if (!out) {
        return GS_ERR_INVALID_ARG;
    }
    out->ops = &s_ops;
    out->ctx = NULL;
    return GS_OK;
}
