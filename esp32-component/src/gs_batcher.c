#include <string.h>
#include "gs_batcher.h"
#include "gs_config.h"

struct gs_batcher {
    uint8_t in_use;
    gs_batcher_config_t cfg;
    uint8_t channels;
    uint32_t sequence;
    uint32_t decim_phase;      /* input samples to skip before the next kept one */
    bool have_last;
    uint64_t last_input_us;    /* timestamp of the previous input sample (kept or not) */
    uint64_t first_us;
    uint32_t count;
    uint64_t kept;
    uint8_t data[GS_BATCH_MAX_BYTES];
};

static struct gs_batcher s_batchers[GS_MAX_BATCHERS];

static uint8_t channels_of(uint32_t mask)
{
    return (uint8_t)(((mask >> 0) & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u));
}

gs_err_t gs_batcher_check_config(const gs_batcher_config_t *c)
{
    if (!c || c->axes_mask == 0 || c->axes_mask > 7u || c->input_period_ns == 0 ||
        c->decimation == 0 || c->batch_size == 0) {
        return GS_ERR_INVALID_ARG;
    }
    if ((uint64_t)c->input_period_ns * c->decimation > UINT32_MAX) {
        return GS_ERR_INVALID_ARG;
    }
    if ((uint64_t)c->batch_size * 2u * channels_of(c->axes_mask) > GS_BATCH_MAX_BYTES) {
        return GS_ERR_INVALID_ARG;
    }
    return GS_OK;
}

gs_err_t gs_batcher_create(const gs_batcher_config_t *config, gs_batcher_handle_t *out)
{
    if (!out || gs_batcher_check_config(config) != GS_OK) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < GS_MAX_BATCHERS; i++) {
        if (!s_batchers[i].in_use) {
            s_batchers[i].in_use = 1;
            *out = &s_batchers[i];
            return gs_batcher_configure(*out, config);
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_batcher_destroy(gs_batcher_handle_t b)
{
    if (b) {
        b->in_use = 0;
    }
}

void gs_batcher_reset(gs_batcher_handle_t b)
{
    if (b) {
        b->sequence = 0;
        b->count = 0;
        b->kept = 0;
        b->decim_phase = 0;
        b->have_last = false;
    }
}

gs_err_t gs_batcher_configure(gs_batcher_handle_t b, const gs_batcher_config_t *config)
{
    if (!b || gs_batcher_check_config(config) != GS_OK) {
        return GS_ERR_INVALID_ARG;
    }
    b->cfg = *config;
    b->channels = channels_of(config->axes_mask);
    gs_batcher_reset(b);
    return GS_OK;
}

uint32_t gs_batcher_next_sequence(gs_batcher_handle_t b)
{
    return b ? b->sequence : 0;
}

uint64_t gs_batcher_kept(gs_batcher_handle_t b)
{
    return b ? b->kept : 0;
}

uint32_t gs_batcher_sample_period_ns(gs_batcher_handle_t b)
{
    return b ? b->cfg.input_period_ns * b->cfg.decimation : 0;
}

static void emit(gs_batcher_handle_t b, gs_envelope_t *env)
{
    memset(env, 0, sizeof(*env));
    env->protocol_version = GS_PROTOCOL_VERSION;
    env->which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
    gyrosentinel_v1_SampleBatch *sb = &env->body.sample_batch;
    sb->sequence = b->sequence++;
    sb->timestamp_us = b->first_us;
    sb->sample_period_ns = gs_batcher_sample_period_ns(b);
    sb->count = b->count;
    sb->data.size = (pb_size_t)(b->count * b->channels * 2u);
    memcpy(sb->data.bytes, b->data, sb->data.size);
    b->count = 0;
}

gs_err_t gs_batcher_add(gs_batcher_handle_t b, const gs_sample_t *s, gs_envelope_t *env,
                        bool *produced)
{
    if (!b || !s || !env || !produced) {
        return GS_ERR_INVALID_ARG;
    }
    *produced = false;
    if (b->count == b->cfg.batch_size) {
        /* Left full by the previous call (see below). */
        emit(b, env);
        *produced = true;
    }
    /* A gap is more than 1.5 input periods since the previous input sample: samples were
     * lost before they reached us, so the run is broken and the decimation restarts. */
    uint64_t gap_limit_us = ((uint64_t)b->cfg.input_period_ns * 3u / 2u + 999u) / 1000u;
    bool gap = b->have_last && (s->timestamp_us < b->last_input_us ||
                                s->timestamp_us - b->last_input_us > gap_limit_us);
    b->have_last = true;
    b->last_input_us = s->timestamp_us;
    if (gap) {
        b->decim_phase = 0;
        if (b->count > 0) {
            emit(b, env);
            *produced = true;
        }
    }
    if (b->decim_phase > 0) {
        b->decim_phase--;
        return GS_OK;
    }
    b->decim_phase = b->cfg.decimation - 1;
    if (b->count == 0) {
        b->first_us = s->timestamp_us;
    }
    uint8_t *p = &b->data[b->count * b->channels * 2u];
    for (int axis = 0; axis < 3; axis++) {
        if (b->cfg.axes_mask & (1u << axis)) {
            uint16_t v = (uint16_t)s->xyz[axis];
            *p++ = (uint8_t)(v & 0xFFu);
            *p++ = (uint8_t)(v >> 8);
        }
    }
    b->count++;
    b->kept++;
    if (b->count == b->cfg.batch_size) {
        /* One batch per call: if one was already produced, this full one waits for the
         * next call (or gs_batcher_flush). */
        if (!*produced) {
            emit(b, env);
            *produced = true;
        }
    }
    return GS_OK;
}

gs_err_t gs_batcher_flush(gs_batcher_handle_t b, gs_envelope_t *env)
{
    if (!b || !env) {
        return GS_ERR_INVALID_ARG;
    }
    if (b->count == 0) {
        return GS_ERR_EMPTY;
    }
    emit(b, env);
    return GS_OK;
}
