#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gs_calibration.h"

/* ---------------------------------------------------------------- math */

void gs_welford_init(gs_welford_t *w, uint32_t channels)
{
    memset(w, 0, sizeof(*w));
    w->channels = channels;
}

void gs_welford_add(gs_welford_t *w, const float *values)
{
    w->n++;
    for (uint32_t k = 0; k < w->channels; k++) {
        double x = (double)values[k];
        double d = x - w->mean[k];
        w->mean[k] += d / (double)w->n;
        w->m2[k] += d * (x - w->mean[k]);
    }
}

void gs_welford_result(const gs_welford_t *w, float *mean, float *std)
{
    for (uint32_t k = 0; k < w->channels; k++) {
        mean[k] = w->n ? (float)w->mean[k] : 0.0f;
        std[k] = w->n ? (float)sqrt(w->m2[k] / (double)w->n) : 0.0f;
    }
}

gs_err_t gs_calibration_window_score(const float *window_dps, uint32_t w, uint32_t channels,
                                     const float *mean, const float *std, const gs_model_t *model,
                                     float *in, float *out, float *score)
{
    if (!window_dps || !mean || !std || !model || !model->ops || !model->ops->reconstruct ||
        !in || !out || !score || w == 0 || channels == 0 ||
        channels > GS_SCORING_MAX_CHANNELS) {
        return GS_ERR_INVALID_ARG;
    }
    for (uint32_t t = 0; t < w; t++) {
        for (uint32_t k = 0; k < channels; k++) {
            in[t * channels + k] = (window_dps[t * channels + k] - mean[k]) / std[k];
        }
    }
    if (model->remove_dc) {
        gs_scoring_remove_dc(in, w, channels);
    }
    gs_err_t err = model->ops->reconstruct(model->ctx, in, out, w, channels);
    if (err != GS_OK) {
        return err;
    }
    float channel_error[GS_SCORING_MAX_CHANNELS];
    gs_scoring_window(model, in, out, w, channels, channel_error, score);
    return GS_OK;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

gs_err_t gs_calibration_threshold(float *scores, size_t n, float quantile, float k_sigma,
                                  float *out)
{
    if (!scores || !out || n == 0 || !isfinite(quantile) || quantile < 0.0f ||
        quantile >= 1.0f) {
        return GS_ERR_INVALID_ARG;
    }
    if (quantile > 0.0f) {
        qsort(scores, n, sizeof(float), cmp_float);
        double h = (double)(n - 1) * (double)quantile;
        size_t i = (size_t)floor(h);
        double lo = scores[i];
        double hi = scores[i + 1 < n ? i + 1 : i];
        *out = (float)(lo + (h - (double)i) * (hi - lo));
        return GS_OK;
    }
    if (!isfinite(k_sigma) || !(k_sigma > 0.0f)) {
        return GS_ERR_INVALID_ARG;
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += scores[i];
    }
    double mean = sum / (double)n;
    double var = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)scores[i] - mean;
        var += d * d;
    }
    *out = (float)(mean + (double)k_sigma * sqrt(var / (double)n));
    return GS_OK;
}

/* ---------------------------------------------------------------- session */

uint64_t gs_calibration_samples_for(uint32_t duration_ms, float odr_hz, uint32_t decimation)
{
    if (decimation == 0 || !(odr_hz > 0.0f)) {
        return 0;
    }
    return (uint64_t)llround((double)duration_ms * (double)odr_hz / (double)decimation / 1000.0);
}

gs_err_t gs_calibration_begin(gs_calibration_t *c, const gs_calibration_params_t *p)
{
    if (!c || !p || p->axes_mask == 0 || p->axes_mask > 7u || !(p->scale > 0.0f) ||
        p->decimation == 0 || p->target == 0) {
        return GS_ERR_INVALID_ARG;
    }
    c->active = true;
    c->p = *p;
    c->channels = 0;
    for (uint8_t a = 0; a < 3; a++) {
        if (p->axes_mask & (1u << a)) {
            c->axis[c->channels++] = a;
        }
    }
    c->phase = 0;
    c->collected = 0;
    c->stored = 0;
    gs_welford_init(&c->stats, c->channels);
    return GS_OK;
}

bool gs_calibration_done(const gs_calibration_t *c)
{
    return c && c->active && c->collected >= c->p.target;
}

bool gs_calibration_add(gs_calibration_t *c, const gs_sample_t *s)
{
    if (!c || !c->active || !s) {
        return false;
    }
    if (c->collected >= c->p.target) {
        return true;
    }
    uint32_t phase = c->phase++;
    if (c->phase >= c->p.decimation) {
        c->phase = 0;
    }
    if (phase != 0) {
        return false;
    }
    float v[GS_SCORING_MAX_CHANNELS];
    for (uint32_t k = 0; k < c->channels; k++) {
        v[k] = (float)s->xyz[c->axis[k]] * c->p.scale; /* as the streaming scorer */
    }
    gs_welford_add(&c->stats, v);
    if (c->stored < GS_CALIBRATION_MAX_SAMPLES) {
        for (uint32_t k = 0; k < c->channels; k++) {
            c->raw[c->stored * c->channels + k] = s->xyz[c->axis[k]];
        }
        c->stored++;
    }
    return ++c->collected >= c->p.target;
}

void gs_calibration_cancel(gs_calibration_t *c)
{
    if (c) {
        c->active = false;
    }
}

gs_err_t gs_calibration_finish(gs_calibration_t *c, const gs_model_t *model, uint32_t window,
                               uint32_t hop, float quantile, float k_sigma,
                               gs_calibration_result_t *out)
{
    if (!c || !c->active || !out || !model) {
        return GS_ERR_INVALID_ARG;
    }
    c->active = false;
    if (window < 2 || window > GS_SCORING_MAX_WINDOW || hop == 0 || hop > window) {
        return GS_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof(*out));
    const uint32_t ch = c->channels;
    out->channels = ch;
    gs_welford_result(&c->stats, out->mean, out->std);
    for (uint32_t k = 0; k < ch; k++) {
        if (!(out->std[k] > 0.0f) || !isfinite(out->std[k])) {
            return GS_ERR_INVALID_STATE;
        }
    }
    if (c->stored < window) {
        return GS_ERR_INVALID_ARG;
    }
    uint32_t n = 0;
    for (uint32_t start = 0; start + window <= c->stored && n < GS_CALIBRATION_MAX_WINDOWS;
         start += hop) {
        for (uint32_t i = 0; i < window * ch; i++) {
            c->win[i] = (float)c->raw[start * ch + i] * c->p.scale;
        }
        gs_err_t err = gs_calibration_window_score(c->win, window, ch, out->mean, out->std, model,
                                                   c->in, c->out, &c->scores[n]);
        if (err != GS_OK) {
            return err;
        }
        n++;
    }
    out->windows = n;
    return gs_calibration_threshold(c->scores, n, quantile, k_sigma, &out->threshold);
}
