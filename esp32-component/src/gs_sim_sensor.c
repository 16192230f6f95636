#include <math.h>
#include <string.h>
#include "gs_sim_sensor.h"
#include "gs_sensor_config.h"

#define GS_SIM_POOL 2
#define GS_TWO_PI 6.283185307179586476925

typedef struct {
    uint8_t in_use;
    gs_sim_sensor_config_t cfg;
    double odr_hz;
    uint32_t full_scale_dps;
    int running;
    uint64_t t0_us;
    uint64_t produced;        /* samples generated since start */
    uint64_t rng;
    uint64_t starts;          /* streams started: the noise index after cfg.session */
    int has_spare;
    double spare;
} sim_t;

static sim_t s_sims[GS_SIM_POOL];

static uint64_t next_u64(sim_t *s)
{
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Box-Muller; the second value is kept for the next call. */
static double gauss(sim_t *s)
{
    if (s->has_spare) {
        s->has_spare = 0;
        return s->spare;
    }
    double u1 = ((double)(next_u64(s) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(next_u64(s) >> 11) / 9007199254740992.0;
    double r = sqrt(-2.0 * log(u1));
    s->spare = r * sin(GS_TWO_PI * u2);
    s->has_spare = 1;
    return r * cos(GS_TWO_PI * u2);
}

float gs_sim_sensor_mdps_per_lsb(uint32_t full_scale_dps)
{
    /* ISM330BX-style: 4.375 mdps/LSB at 125 dps, doubling with the range. */
    return 4.375f * (float)full_scale_dps / 125.0f;
}

static int16_t to_raw(double dps, double mdps_per_lsb)
{
    double v = round(dps * 1000.0 / mdps_per_lsb);
    if (v > 32767.0) {
        v = 32767.0;
    } else if (v < -32768.0) {
        v = -32768.0;
    }
    return (int16_t)v;
}

static gs_err_t sim_configure(void *ctx, const gs_sensor_settings_t *st, float *actual)
{
    sim_t *s = ctx;
    if (!st || !(st->odr_hz > 0.0f) || st->full_scale_dps == 0) {
        return GS_ERR_INVALID_ARG;
    }
    if (s->running) {
        return GS_ERR_INVALID_STATE;
    }
    /* Runs at the nearest rate of the contract's sensor (the ISM330BX's), as the real driver does, so a host
     * developing against this device sees what the board will do. */
    s->odr_hz = gs_sensor_config_nearest_odr(st->odr_hz);
    s->full_scale_dps = st->full_scale_dps;
    if (actual) {
        *actual = s->odr_hz;
    }
    return GS_OK;
}

static gs_err_t sim_start(void *ctx)
{
    sim_t *s = ctx;
    s->t0_us = s->cfg.clock.now_us(s->cfg.clock.ctx);
    s->produced = 0;
    /* Stream k of a session has noise index session + k: reproducible (same seed, same session, same order of
     * starts), yet each stream differs from the one before, as a real sensor's would. */
    uint64_t index = s->cfg.session + s->starts++;
    s->rng = (s->cfg.seed + index * 0x9E3779B97F4A7C15ULL) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    if (s->rng == 0) {
        s->rng = 1;
    }
    s->has_spare = 0;
    s->running = 1;
    return GS_OK;
}

static gs_err_t sim_stop(void *ctx)
{
    ((sim_t *)ctx)->running = 0;
    return GS_OK;
}

static gs_err_t sim_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    sim_t *s = ctx;
    *n = 0;
    if (!s->running) {
        return GS_OK;
    }
    uint64_t now = s->cfg.clock.now_us(s->cfg.clock.ctx);
    uint64_t due = (uint64_t)floor((double)(now - s->t0_us) * s->odr_hz / 1e6) + 1u;
    const double w = GS_TWO_PI * s->cfg.rotation_hz;
    const double a = s->cfg.amplitude_dps;
    const double lsb = gs_sim_sensor_mdps_per_lsb(s->full_scale_dps);
    while (s->produced < due && *n < max) {
        uint64_t k = s->produced++;
        double t = (double)k / s->odr_hz;
        uint64_t t_us = s->t0_us + (uint64_t)llround(t * 1e6);
        double a1 = a;
        if (s->cfg.fault_after_us && t_us - s->t0_us >= s->cfg.fault_after_us) {
            a1 *= s->cfg.fault_gain;
        }
        double h2 = a * s->cfg.harmonic2, h3 = a * s->cfg.harmonic3;
        double x = a1 * sin(w * t) + h2 * sin(2 * w * t + 0.5) + h3 * sin(3 * w * t + 1.1);
        double y = 0.8 * (a1 * cos(w * t) + h2 * cos(2 * w * t + 0.5)) + 0.5 * h3 * sin(3 * w * t);
        double z = 0.3 * a1 * sin(w * t + 0.3) + 0.2 * h2 * sin(2 * w * t);
        gs_sample_t *o = &out[(*n)++];
        o->timestamp_us = t_us;
        o->xyz[0] = to_raw(x + s->cfg.noise_dps * gauss(s), lsb);
        o->xyz[1] = to_raw(y + s->cfg.noise_dps * gauss(s), lsb);
        o->xyz[2] = to_raw(z + s->cfg.noise_dps * gauss(s), lsb);
    }
    return GS_OK;
}

static const gs_sensor_ops_t s_ops = {
    .model = "SIM-GYRO",
    .configure = sim_configure,
    .start = sim_start,
    .stop = sim_stop,
    .read = sim_read,
};

gs_err_t gs_sim_sensor_create(const gs_sim_sensor_config_t *config, gs_sensor_t *out)
{
    if (!config || !out || !config->clock.now_us || !(config->rotation_hz > 0.0f)) {
        return GS_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < GS_SIM_POOL; i++) {
        if (!s_sims[i].in_use) {
            sim_t *s = &s_sims[i];
            memset(s, 0, sizeof(*s));
            s->in_use = 1;
            s->cfg = *config;
            s->odr_hz = 960.0;
            s->full_scale_dps = 250;
            out->ops = &s_ops;
            out->ctx = s;
            return GS_OK;
        }
    }
    return GS_ERR_NO_MEM;
}

void gs_sim_sensor_destroy(gs_sensor_t *sensor)
{
    if (sensor && sensor->ctx) {
        ((sim_t *)sensor->ctx)->in_use = 0;
        sensor->ctx = NULL;
        sensor->ops = NULL;
    }
}
