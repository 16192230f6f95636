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
    /* Derived from cfg at configure time so the per-sample path does no division and no
     * per-axis branching. */
    uint64_t gap_limit_us;     /* more than this since the previous input sample is a gap */
    uint32_t fill;             /* bytes of data used: count * channels * 2 */
    /* The fast path of gs_batcher_add applies while 1 <= count <= fast_max: batch_size - 2
     * with decimation 1 and 3 channels, else 0 (never). */
    uint32_t fast_max;
    uint8_t axis[3];           /* enabled axes in X, Y, Z order (channels of them) */
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
        b->fill = 0;
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
    uint8_t n = 0;
    for (uint8_t axis = 0; axis < 3; axis++) {
        if (config->axes_mask & (1u << axis)) {
            b->axis[n++] = axis;
        }
    }
    /* A gap is more than 1.5 input periods since the previous input sample. */
    b->gap_limit_us = ((uint64_t)config->input_period_ns * 3u / 2u + 999u) / 1000u;
    b->fast_max = (config->decimation == 1u && b->channels == 3u && config->batch_size > 2u)
                      ? config->batch_size - 2u
                      : 0u;
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
    /* Only the fields a SampleBatch envelope uses are written (the rest of the union is not
     * looked at by the encoder); clearing the whole ~1.6 KB envelope per batch was a large
     * share of the per-batch cost. */
    env->protocol_version = GS_PROTOCOL_VERSION;
    env->request_id = 0;
    env->which_body = gyrosentinel_v1_Envelope_sample_batch_tag;
    gyrosentinel_v1_SampleBatch *sb = &env->body.sample_batch;
    sb->sequence = b->sequence++;
    sb->timestamp_us = b->first_us;
    sb->sample_period_ns = gs_batcher_sample_period_ns(b);
    sb->count = b->count;
    sb->data.size = (pb_size_t)b->fill;
    memcpy(sb->data.bytes, b->data, b->fill);
    b->count = 0;
    b->fill = 0;
}

static inline void put_le16(uint8_t *p, int16_t v)
{
    uint16_t u = (uint16_t)v;
    p[0] = (uint8_t)(u & 0xFFu);
    p[1] = (uint8_t)(u >> 8);
}

/* The general case: first sample of a batch, the one that fills it, gaps, decimation, fewer
 * than three axes. Kept out of line so the common case below stays a short leaf path. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static gs_err_t add_general(gs_batcher_handle_t b, const gs_sample_t *s, gs_envelope_t *env,
                            bool *produced)
{
    bool out = false;
    if (b->count == b->cfg.batch_size) {
        /* Left full by the previous call (see below). */
        emit(b, env);
        out = true;
    }
    /* A gap (see gap_limit_us): samples were lost before they reached us, so the run is
     * broken and the decimation restarts. */
    const uint64_t ts = s->timestamp_us;
    const uint64_t last = b->last_input_us;
    const bool gap = b->have_last && (ts < last || ts - last > b->gap_limit_us);
    b->have_last = true;
    b->last_input_us = ts;
    if (gap) {
        b->decim_phase = 0;
        if (b->count > 0) {
            emit(b, env);
            out = true;
        }
    }
    if (b->decim_phase > 0) {
        b->decim_phase--;
        *produced = out;
        return GS_OK;
    }
    b->decim_phase = b->cfg.decimation - 1;
    if (b->count == 0) {
        b->first_us = ts;
    }
    /* int16 little-endian straight into the batch buffer. */
    uint8_t *p = &b->data[b->fill];
    if (b->channels == 3) {
        put_le16(p, s->xyz[0]);
        put_le16(p + 2, s->xyz[1]);
        put_le16(p + 4, s->xyz[2]);
    } else {
        for (uint32_t c = 0; c < b->channels; c++) {
            put_le16(p + 2u * c, s->xyz[b->axis[c]]);
        }
    }
    b->fill += 2u * b->channels;
    b->count++;
    b->kept++;
    if (b->count == b->cfg.batch_size && !out) {
        /* One batch per call: if one was already produced, this full one waits for the
         * next call (or gs_batcher_flush). */
        emit(b, env);
        out = true;
    }
    *produced = out;
    return GS_OK;
}

gs_err_t gs_batcher_add(gs_batcher_handle_t b, const gs_sample_t *s, gs_envelope_t *env,
                        bool *produced)
{
    if (!b || !s || !env || !produced) {
        return GS_ERR_INVALID_ARG;
    }
    /* Common case, same result as add_general(): no decimation, 3 axes, a batch already
     * started that this sample does not complete (1 <= count <= batch_size - 2, one unsigned
     * compare), and no gap since the previous sample. count != 0 implies have_last. */
    const uint64_t ts = s->timestamp_us;
    const uint64_t last = b->last_input_us;
    const uint32_t count = b->count;
    if (count - 1u < b->fast_max && ts >= last && ts - last <= b->gap_limit_us) {
        b->last_input_us = ts;
        uint8_t *p = &b->data[b->fill];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(p, s->xyz, 6); /* int16 x, y, z are already little-endian in memory */
#else
        put_le16(p, s->xyz[0]);
        put_le16(p + 2, s->xyz[1]);
        put_le16(p + 4, s->xyz[2]);
#endif
        b->fill += 6u;
        b->count = count + 1u;
        b->kept++;
        *produced = false;
        return GS_OK;
    }
    return add_general(b, s, env, produced);
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
