#include <math.h>
#include <string.h>
#include "gs_model_runtime.h"

struct gs_model_runtime {
    uint8_t in_use;
    gs_model_runtime_config_t cfg;
    bool loaded;
    gs_bundle_t bundle;
    gs_manifest_t manifest;
    gs_scorer_handle_t scorer;
};

static struct gs_model_runtime s_runtime;

/* The scorer's one-function model interface, forwarded to the backend. */
static gs_err_t forward(void *ctx, const float *in, float *out, uint32_t window, uint32_t channels)
{
    struct gs_model_runtime *rt = ctx;
    return rt->cfg.backend.ops->run(rt->cfg.backend.ctx, in, out, window, channels);
}

static const gs_model_ops_t s_forward_ops = {.reconstruct = forward};

gs_err_t gs_model_runtime_create(const gs_model_runtime_config_t *c, gs_model_runtime_handle_t *out)
{
    if (!c || !out || !c->store || !c->backend.ops || !c->backend.ops->load ||
        !c->backend.ops->run || !c->backend.ops->unload || c->enter_windows == 0 ||
        c->exit_windows == 0 || !(c->exit_ratio > 0.0f) || c->exit_ratio > 1.0f) {
        return GS_ERR_INVALID_ARG;
    }
    if (s_runtime.in_use) {
        return GS_ERR_NO_MEM;
    }
    memset(&s_runtime, 0, sizeof(s_runtime));
    s_runtime.in_use = 1;
    s_runtime.cfg = *c;
    *out = &s_runtime;
    return GS_OK;
}

static void unload(struct gs_model_runtime *rt)
{
    gs_model_runtime_stop(rt);
    if (rt->loaded) {
        rt->cfg.backend.ops->unload(rt->cfg.backend.ctx);
        rt->loaded = false;
    }
    memset(&rt->bundle, 0, sizeof(rt->bundle));
    memset(&rt->manifest, 0, sizeof(rt->manifest));
}

void gs_model_runtime_destroy(gs_model_runtime_handle_t rt)
{
    if (rt && rt->in_use) {
        unload(rt);
        rt->in_use = 0;
    }
}

/* Reads the active slot (mapped or into payload_buf), parses bundle and manifest, loads. */
static gs_err_t load_active(struct gs_model_runtime *rt)
{
    uint32_t slot, size;
    gs_err_t err = gs_model_store_active_model(rt->cfg.store, &slot, &size);
    if (err != GS_OK) {
        return err;
    }
    const uint8_t *payload = NULL;
    err = gs_model_store_map(rt->cfg.store, slot, &payload);
    if (err == GS_ERR_UNSUPPORTED) {
        if (!rt->cfg.payload_buf || size > rt->cfg.payload_cap) {
            return GS_ERR_NO_MEM;
        }
        err = gs_model_store_read(rt->cfg.store, slot, 0, rt->cfg.payload_buf, size);
        payload = rt->cfg.payload_buf;
    }
    if (err != GS_OK) {
        return err;
    }
    if (gs_bundle_parse(payload, size, &rt->bundle) != GS_OK || rt->bundle.format_version != 1 ||
        gs_manifest_parse(rt->bundle.manifest, rt->bundle.manifest_len, &rt->manifest) != GS_OK) {
        return GS_ERR_MODEL_LOAD;
    }
    if (rt->manifest.window > GS_SCORING_MAX_WINDOW ||
        rt->manifest.channels > GS_SCORING_MAX_CHANNELS) {
        return GS_ERR_MODEL_LOAD;
    }
    if (rt->manifest.model_id[0] == '\0') {
        size_t n = rt->bundle.model_id_len < sizeof(rt->manifest.model_id) - 1
                       ? rt->bundle.model_id_len : sizeof(rt->manifest.model_id) - 1;
        memcpy(rt->manifest.model_id, rt->bundle.model_id, n);
        rt->manifest.model_id[n] = '\0';
    }
    err = rt->cfg.backend.ops->load(rt->cfg.backend.ctx, &rt->bundle, &rt->manifest);
    if (err != GS_OK) {
        /* "the part this backend needs is missing" is a bad model, not an empty store */
        return err == GS_ERR_NO_MODEL ? GS_ERR_MODEL_LOAD : err;
    }
    rt->loaded = true;
    /* A calibration made on this device for this slot (kept by the store) replaces the
     * manifest's normalisation and threshold, as it did before the reboot. */
    gs_model_calibration_t cal;
    if (gs_model_store_calibration(rt->cfg.store, slot, &cal) == GS_OK) {
        /* one that does not fit the model is refused whole: the manifest's values stay */
        (void)gs_model_runtime_set_normalisation(rt, cal.mean, cal.std, cal.channels, cal.threshold);
    }
    return GS_OK;
}

gs_err_t gs_model_runtime_reload(gs_model_runtime_handle_t rt)
{
    if (!rt) {
        return GS_ERR_INVALID_ARG;
    }
    unload(rt);
    gs_err_t first = GS_OK;
    /* Each failure invalidates the active slot and falls back, so this ends within
     * GS_MODEL_SLOTS + 1 turns. */
    for (uint32_t turn = 0; turn <= GS_MODEL_SLOTS; turn++) {
        gs_err_t err = load_active(rt);
        if (err == GS_OK) {
            (void)gs_model_store_report_load(rt->cfg.store, true);
            return first;
        }
        if (err == GS_ERR_NO_MODEL && turn == 0) {
            return GS_ERR_NO_MODEL; /* nothing active: not a load failure */
        }
        unload(rt);
        if (err == GS_ERR_NO_MODEL) {
            return first; /* fell back to nothing */
        }
        if (first == GS_OK) {
            first = err;
        }
        if (gs_model_store_report_load(rt->cfg.store, false) != GS_OK) {
            return first;
        }
    }
    return first;
}

bool gs_model_runtime_ready(gs_model_runtime_handle_t rt)
{
    return rt && rt->loaded;
}

const gs_manifest_t *gs_model_runtime_manifest(gs_model_runtime_handle_t rt)
{
    return rt && rt->loaded ? &rt->manifest : NULL;
}

gs_err_t gs_model_runtime_start(gs_model_runtime_handle_t rt, uint32_t axes_mask, float scale)
{
    if (!rt) {
        return GS_ERR_INVALID_ARG;
    }
    gs_model_runtime_stop(rt);
    if (!rt->loaded) {
        return GS_ERR_NO_MODEL;
    }
    const gs_manifest_t *m = &rt->manifest;
    gs_scoring_config_t sc = {
        .axes_mask = axes_mask, .window = m->window, .hop = m->stride, .scale = scale,
        .threshold = m->threshold, .exit_ratio = rt->cfg.exit_ratio,
        .enter_windows = rt->cfg.enter_windows, .exit_windows = rt->cfg.exit_windows,
        .clock = rt->cfg.clock,
    };
    /* Channel k of the model is the k-th enabled axis; the scorer indexes mean/std by axis. */
    uint32_t k = 0;
    for (uint32_t a = 0; a < 3; a++) {
        if (axes_mask & (1u << a)) {
            if (k < m->channels) {
                sc.mean[a] = m->mean[k];
                sc.std[a] = m->std[k];
            }
            k++;
        }
    }
    if (k != m->channels) {
        return GS_ERR_INVALID_ARG;
    }
    gs_model_t model = {.ops = &s_forward_ops, .ctx = rt, .model_id = rt->manifest.model_id,
                        .output = (uint32_t)rt->manifest.output, .remove_dc = rt->manifest.remove_dc};
    return gs_scorer_create(&sc, &model, &rt->scorer);
}

void gs_model_runtime_stop(gs_model_runtime_handle_t rt)
{
    if (rt && rt->scorer) {
        gs_scorer_destroy(rt->scorer);
        rt->scorer = NULL;
    }
}

bool gs_model_runtime_scoring(gs_model_runtime_handle_t rt)
{
    return rt && rt->scorer;
}

gs_err_t gs_model_runtime_add(gs_model_runtime_handle_t rt, const gs_sample_t *sample,
                              gs_scoring_output_t *out)
{
    if (!rt || !rt->scorer) {
        return GS_ERR_INVALID_STATE;
    }
    return gs_scorer_add(rt->scorer, sample, out);
}

gs_err_t gs_model_runtime_model(gs_model_runtime_handle_t rt, gs_model_t *out)
{
    if (!rt || !out) {
        return GS_ERR_INVALID_ARG;
    }
    if (!rt->loaded) {
        return GS_ERR_NO_MODEL;
    }
    out->ops = &s_forward_ops;
    out->ctx = rt;
    out->model_id = rt->manifest.model_id;
    out->output = (uint32_t)rt->manifest.output;
    out->remove_dc = rt->manifest.remove_dc;
    return GS_OK;
}

gs_err_t gs_model_runtime_set_normalisation(gs_model_runtime_handle_t rt, const float *mean,
                                            const float *std, uint32_t channels, float threshold)
{
    if (!rt || !mean || !std || !isfinite(threshold) || threshold < 0.0f) {
        return GS_ERR_INVALID_ARG;
    }
    if (!rt->loaded) {
        return GS_ERR_NO_MODEL;
    }
    if (channels != rt->manifest.channels) {
        return GS_ERR_INVALID_ARG;
    }
    for (uint32_t k = 0; k < channels; k++) {
        if (!isfinite(mean[k]) || !(std[k] > 0.0f) || !isfinite(std[k])) {
            return GS_ERR_INVALID_ARG;
        }
    }
    /* The backend got the manifest at load but reads no normalisation from it: the scorer
     * normalises, from the values copied here at the next start. */
    for (uint32_t k = 0; k < channels; k++) {
        rt->manifest.mean[k] = mean[k];
        rt->manifest.std[k] = std[k];
    }
    rt->manifest.threshold = threshold;
    return GS_OK;
}
