#include <math.h>
#include <string.h>
#include "gs_scoring.h"
#include "gs_bundle.h"

#define GS_MAX_SCORERS 2

struct gs_scorer {
    uint8_t in_use;
    gs_scoring_config_t cfg;
    gs_model_t model;
    uint32_t channels;
    uint8_t axis[GS_SCORING_MAX_CHANNELS];
    uint32_t filled;
    uint64_t ts[GS_SCORING_MAX_WINDOW];
    float in[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS];
    float out[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS];
    float centred[GS_SCORING_MAX_WINDOW * GS_SCORING_MAX_CHANNELS]; /* the window with DC removed */
    uint64_t window_index;
    /* event state */
    bool in_event;
    uint32_t run;               /* consecutive anomalous (outside) or calm (inside) windows */
    uint64_t run_start_us;
    uint64_t event_id;
    gyrosentinel_v1_AnomalyEvent ev;
};

static struct gs_scorer s_scorers[GS_MAX_SCORERS];

static gs_err_t check(const gs_scoring_config_t *c, const gs_model_t *m)
{
    if (!c || !m || !m->ops || !m->ops->reconstruct) {
        return GS_ERR_INVALID_ARG;
    }
    if (c->axes_mask == 0 || c->axes_mask > 7u || c->window < 2 ||
        c->window > GS_SCORING_MAX_WINDOW || c->hop == 0 || c->hop > c->window ||
        !(c->scale > 0.0f) || !isfinite(c->threshold) || c->threshold < 0.0f ||
        !(c->exit_ratio > 0.0f) || c->exit_ratio > 1.0f || c->enter_windows == 0 ||
        c->exit_windows == 0) {
        return GS_ERR_INVALID_ARG;
    }
    for (uint32_t i = 0; i < GS_SCORING_MAX_CHANNELS; i++) {
        if ((c->axes_mask & (1u << i)) && !(c->std[i] > 0.0f)) {
            return GS_ERR_INVALID_ARG;
        }
    }
    return GS_OK;
}

gs_err_t gs_scorer_create(const gs_scoring_config_t *config, const gs_model_t *model,
                          gs_scorer_handle_t *out)
{
    if (!out || check(config, model) != GS_OK) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < GS_MAX_SCORERS; i++) {
        struct gs_scorer *s = &s_scorers[i];
        if (!s->in_use) {
            memset(s, 0, sizeof(*s));
            s->in_use = 1;
            s->cfg = *config;
            s->model = *model;
            for (uint8_t a = 0; a < 3; a++) {
                if (config->axes_mask & (1u << a)) {
                    s->axis[s->channels++] = a;
                }
            }
            *out = s;
            return GS_OK;
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_scorer_destroy(gs_scorer_handle_t s)
{
    if (s) {
        s->in_use = 0;
    }
}

void gs_scorer_reset(gs_scorer_handle_t s)
{
    if (s) {
        s->filled = 0;
        s->window_index = 0;
        s->in_event = false;
        s->run = 0;
    }
}

static void copy_id(char *dst, size_t cap, const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    if (n) {
        memcpy(dst, id, n);
    }
    dst[n] = '\0';
}

/* The event's peak: its score, time and each channel's share (the peak window's channel errors). */
static void peak(gyrosentinel_v1_AnomalyEvent *ev, const gyrosentinel_v1_InferenceResult *r)
{
    ev->peak_score = r->score;
    ev->peak_timestamp_us = r->start_timestamp_us;
    ev->peak_channel_error_count = r->channel_error_count;
    memcpy(ev->peak_channel_error, r->channel_error, sizeof(float) * r->channel_error_count);
}

/* Hysteresis: enter_windows anomalous windows in a row open an event, exit_windows windows
 * below threshold x exit_ratio in a row close it, so a score hovering at the threshold
 * does not produce a storm of events. */
static void track_event(struct gs_scorer *s, const gyrosentinel_v1_InferenceResult *r,
                        gs_scoring_output_t *out)
{
    const gs_scoring_config_t *c = &s->cfg;
    if (!s->in_event) {
        if (r->anomalous) {
            if (s->run++ == 0) {
                s->run_start_us = r->start_timestamp_us;
                memset(&s->ev, 0, sizeof(s->ev));
            }
            if (r->score > s->ev.peak_score || s->run == 1) {
                peak(&s->ev, r);
            }
            if (s->run >= c->enter_windows) {
                s->in_event = true;
                s->ev.event_id = ++s->event_id;
                s->ev.state = gyrosentinel_v1_AnomalyEvent_State_STARTED;
                s->ev.start_timestamp_us = s->run_start_us;
                s->ev.end_timestamp_us = 0;
                s->ev.threshold = c->threshold;
                s->ev.windows = s->run;
                copy_id(s->ev.model_id, sizeof(s->ev.model_id), s->model.model_id);
                s->run = 0;
                out->has_event = true;
                out->event = s->ev;
            }
        } else {
            s->run = 0;
        }
        return;
    }
    s->ev.windows++;
    if (r->score > s->ev.peak_score) {
        peak(&s->ev, r);
    }
    if (r->score < c->threshold * c->exit_ratio) {
        if (++s->run >= c->exit_windows) {
            s->in_event = false;
            s->run = 0;
            s->ev.state = gyrosentinel_v1_AnomalyEvent_State_ENDED;
            s->ev.end_timestamp_us = r->end_timestamp_us;
            out->has_event = true;
            out->event = s->ev;
        }
    } else {
        s->run = 0;
    }
}

void gs_scoring_mse(const float *in, const float *out, uint32_t w, uint32_t channels,
                    float *channel_error, float *score)
{
    double total = 0.0;
    for (uint32_t k = 0; k < channels; k++) {
        double acc = 0.0;
        for (uint32_t t = 0; t < w; t++) {
            double d = (double)in[t * channels + k] - (double)out[t * channels + k];
            acc += d * d;
        }
        channel_error[k] = (float)(acc / w);
        total += acc / w;
    }
    *score = (float)(total / channels);
}

void gs_scoring_remove_dc(float *x, uint32_t w, uint32_t channels)
{
    for (uint32_t k = 0; k < channels; k++) {
        double sum = 0.0;
        for (uint32_t t = 0; t < w; t++) {
            sum += x[t * channels + k];
        }
        const double mean = sum / w;
        for (uint32_t t = 0; t < w; t++) {
            x[t * channels + k] = (float)((double)x[t * channels + k] - mean);
        }
    }
}

void gs_scoring_window(const gs_model_t *model, const float *in, const float *out, uint32_t w,
                       uint32_t channels, float *channel_error, float *score)
{
    if (model->output != GS_MODEL_OUTPUT_CHANNEL_SCORES) {
        gs_scoring_mse(in, out, w, channels, channel_error, score);
        return;
    }
    double total = 0.0;
    for (uint32_t k = 0; k < channels; k++) {
        channel_error[k] = out[k];
        total += out[k];
    }
    *score = (float)(total / channels);
}

gs_err_t gs_scorer_add(gs_scorer_handle_t s, const gs_sample_t *sample, gs_scoring_output_t *out)
{
    if (!s || !sample || !out) {
        return GS_ERR_INVALID_ARG;
    }
    out->has_result = false;
    out->has_event = false;
    const uint32_t ch = s->channels;
    float *row = &s->in[s->filled * ch];
    for (uint32_t k = 0; k < ch; k++) {
        uint8_t a = s->axis[k];
        row[k] = ((float)sample->xyz[a] * s->cfg.scale - s->cfg.mean[a]) / s->cfg.std[a];
    }
    s->ts[s->filled++] = sample->timestamp_us;
    if (s->filled < s->cfg.window) {
        return GS_OK;
    }
    const uint32_t w = s->cfg.window;
    uint64_t t0 = s->cfg.clock.now_us ? s->cfg.clock.now_us(s->cfg.clock.ctx) : 0;
    const float *x = s->in;
    if (s->model.remove_dc) {
        memcpy(s->centred, s->in, (size_t)w * ch * sizeof(float));
        gs_scoring_remove_dc(s->centred, w, ch);
        x = s->centred;
    }
    gs_err_t err = s->model.ops->reconstruct(s->model.ctx, x, s->out, w, ch);
    uint64_t t1 = s->cfg.clock.now_us ? s->cfg.clock.now_us(s->cfg.clock.ctx) : 0;
    if (err == GS_OK) {
        gyrosentinel_v1_InferenceResult *r = &out->result;
        memset(r, 0, sizeof(*r));
        gs_scoring_window(&s->model, x, s->out, w, ch, r->channel_error, &r->score);
        r->channel_error_count = (pb_size_t)ch;
        r->window = s->window_index++;
        r->start_timestamp_us = s->ts[0];
        r->end_timestamp_us = s->ts[w - 1];
        r->threshold = s->cfg.threshold;
        r->anomalous = r->score > s->cfg.threshold;
        r->inference_us = (uint32_t)(t1 - t0);
        copy_id(r->model_id, sizeof(r->model_id), s->model.model_id);
        out->has_result = true;
        track_event(s, r, out);
    }
    /* Slide by hop: the last window - hop samples start the next window. */
    const uint32_t keep = w - s->cfg.hop;
    memmove(s->in, &s->in[s->cfg.hop * ch], (size_t)keep * ch * sizeof(float));
    memmove(s->ts, &s->ts[s->cfg.hop], (size_t)keep * sizeof(uint64_t));
    s->filled = keep;
    return err;
}
