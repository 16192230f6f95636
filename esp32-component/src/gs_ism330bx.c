/*
 * ISM330BX gyroscope through its FIFO: portable core (see gs_ism330bx.h).
 *
 * Why the FIFO: at 3840 Hz a register-by-register read cannot keep up on I2C; one burst of N
 * FIFO words costs N x 7 bytes on the bus. Register addresses, codes and the FIFO word layout
 * come from ST's ism330bx-pid (the datasheet text was not available); what only code, or a
 * sibling part, supports is marked DS-UNVERIFIED below and listed in the README.
 *
 * FIFO set-up (start): bypass (empties the FIFO and clears its flags), watermark, gyro batched
 * at its ODR (BDR_GY = ODR code, accelerometer not batched), a timestamp word every
 * `ts_decimation` gyro samples (DEC_TS_BATCH), gyro on in high-performance mode, continuous
 * mode (FIFO_MODE 6: when full, the oldest word is overwritten and FIFO_OVR_IA is set).
 *
 * Sample times (read):
 *  - Times come from the FIFO timestamp words only (never from when the host happened to read):
 *    tick x LSB (21.75 µs per ST's ism330bx-pid; its Linux driver uses 21.701 µs, and 1/46080 s
 *    = 21.7014 µs would make one 3840 Hz period exactly 12 ticks: DS-UNVERIFIED, hence the
 *    option). The 32-bit counter (wraps after ~26 h) is extended to 64 bits by adding the
 *    unsigned 32-bit difference to the previous reading (TIMESTAMP0..3 at init and start, then
 *    every timestamp word), so a wrap between two readings is invisible.
 *  - A timestamp word carries the time of the gyro sample that follows it in the FIFO (the
 *    order the mainline st_lsm6dsx tagged-FIFO reader assumes; DS-UNVERIFIED for this part). The
 *    n-th gyro word after it (n = 0, 1, ...) is stamped timestamp + n x ODR period. With the
 *    opposite order every time is one period early, still evenly spaced (tested).
 *  - Arithmetic is in µs x 2^16 fixed point, so the per-sample cost is one addition and the
 *    3840 Hz period (260.4167 µs) does not accumulate rounding between timestamp words.
 *  - Gyro words that arrive with no timestamp word before them (just after start, after an
 *    overflow or a failed transfer) are held (at most 32, the largest decimation) and stamped
 *    backwards from the next timestamp word: slot i of m gets timestamp - (m - i) x period.
 *  - A loss (overflow, failed burst) is measured, not guessed: the first sample after it is
 *    stamped from a timestamp word written after the loss, so the distance to the last sample
 *    delivered before it, in periods, minus one is the number of samples lost. The device's
 *    batcher then sees the time jump (> 1.5 periods) as a gap with that many samples missing.
 *  - A timestamp word more than half a period away from the extrapolated time (a loss that the
 *    status flags did not show, e.g. an overrun between the status read and the burst) is
 *    counted in ts_jumps (and the lost samples when it is ahead); the following samples use it.
 *
 * Read: FIFO_STATUS1/2 (9-bit DIFF_FIFO, overrun flags) once, then the words it reported, at
 * most as many as the caller has room for, in bursts of at most `burst_words` words from
 * FIFO_DATA_OUT_TAG (one burst when the level fits; each word 7 bytes, TAG_SENSOR = byte >> 3).
 * Words that arrive meanwhile are left for the next call (the device calls again while it gets
 * a full buffer back). A sample held for a timestamp word (see above) waits for the next
 * timestamp word; it is delivered by the read that sees that word.
 *
 * Read contract: all or nothing. If any transfer of a read() fails, *n = 0, the timestamp state
 * is restored to what it was at entry and the next timestamp word re-anchors (the words the
 * failed transfer may have popped are then counted as lost), so nothing half-consumed leaks out.
 */
#include "gs_ism330bx.h"

#include <stdio.h>
#include <string.h>

/* Registers (main page), [PID] ism330bx_reg.h. */
#define REG_FIFO_CTRL1 0x07u       /* WTM[7:0] (8 bits, no WTM[8]) */
#define REG_FIFO_CTRL3 0x09u       /* BDR_GY[7:4] | BDR_XL[3:0] */
#define REG_FIFO_CTRL4 0x0Au       /* DEC_TS_BATCH[7:6] | ODR_T_BATCH[5:4] | FIFO_MODE[2:0] */
#define REG_INT1_CTRL 0x0Du
#define REG_WHO_AM_I 0x0Fu
#define REG_CTRL2 0x11u            /* OP_MODE_G[6:4] | ODR_G[3:0] */
#define REG_CTRL3 0x12u
#define REG_CTRL6 0x15u            /* LPF1_G_BW[6:4] | FS_G[3:0] */
#define REG_FIFO_STATUS1 0x1Bu     /* DIFF_FIFO[7:0]; FIFO_STATUS2 follows */
#define REG_TIMESTAMP0 0x40u       /* 32-bit little endian, 0x40..0x43 */
#define REG_FUNCTIONS_ENABLE 0x50u
#define REG_FIFO_DATA_OUT_TAG 0x78u

#define CTRL3_BDU 0x40u
#define CTRL3_IF_INC 0x04u
#define CTRL3_SW_RESET 0x01u
#define FUNCTIONS_ENABLE_TIMESTAMP_EN 0x40u
#define FIFO_STATUS2_OVR_IA 0x40u
#define FIFO_STATUS2_OVR_LATCHED 0x08u
#define FIFO_STATUS2_DIFF8 0x01u
#define INT1_FIFO_TH 0x08u
#define FIFO_MODE_BYPASS 0x0u
#define FIFO_MODE_CONTINUOUS 0x6u

/* FIFO word: tag byte (TAG_SENSOR = byte >> 3) + 6 data bytes. */
#define WORD_BYTES 7u
#define TAG_GYRO_NC 0x01u
#define TAG_TIMESTAMP 0x04u
#define TAG_CFG_CHANGE 0x05u
/* ST's Linux driver drops XL/GY words whose first int16 is >= 0x7FFD (filter settling while
 * CTRL4.DRDY_MASK is set). */
#define SETTLING_MARKER 0x7FFD

#define RESET_POLLS 50u            /* 1 ms apart: SW_RESET is given 50 ms (ST waits 10 ms) */
#define DEFAULT_TS_LSB_NS 21750u
#define DEFAULT_DECIMATION 8u
/* The internal sensor time starts at 2^23 ticks (~182 s), so back-dating held samples from the
 * first timestamp word of a run can never go below zero. */
#define TICK_BASE (1ull << 23)

/* Gyro rates: ODR_G codes 0x2..0xB ([PID] ism330bx_gy_data_rate_t; no 1.875 Hz, no 7680 Hz on
 * this part). BDR_GY uses the same codes. hz2 = 2 x rate, an integer. */
static const struct {
    float hz;
    uint16_t hz2;
    uint8_t code;
} k_odr[] = {
    {7.5f, 15, 0x2},   {15.0f, 30, 0x3},    {30.0f, 60, 0x4},     {60.0f, 120, 0x5},
    {120.0f, 240, 0x6}, {240.0f, 480, 0x7}, {480.0f, 960, 0x8},   {960.0f, 1920, 0x9},
    {1920.0f, 3840, 0xA}, {3840.0f, 7680, 0xB},
};
#define ODR_COUNT (sizeof(k_odr) / sizeof(k_odr[0]))

/* ------------------------------------------------------------------ helpers */

static gs_err_t gs_ism330bx_rd(gs_ism330bx_t *dev, uint8_t reg, uint8_t *buf, size_t n)
{
    return dev->bus.read(dev->bus.ctx, reg, buf, n) == GS_OK ? GS_OK : GS_ERR_SENSOR;
}

static gs_err_t gs_ism330bx_wr(gs_ism330bx_t *dev, uint8_t reg, uint8_t val)
{
    return dev->bus.write(dev->bus.ctx, reg, &val, 1) == GS_OK ? GS_OK : GS_ERR_SENSOR;
}

static int16_t le16(const uint8_t *p)
{
    return (int16_t)(uint16_t)((uint16_t)p[0] | (uint16_t)((uint16_t)p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static gs_err_t gs_ism330bx_fail(gs_ism330bx_t *dev, const char *why)
{
    snprintf(dev->error, sizeof dev->error, "%s", why);
    return GS_ERR_SENSOR;
}

/* µs x 2^16 of one ODR period (hz2 = 2 x rate in Hz), rounded. */
static uint64_t period_q16_of(uint16_t hz2)
{
    return (2000000ull * 65536ull + hz2 / 2u) / hz2;
}

static void apply_odr(gs_ism330bx_t *dev, size_t i)
{
    dev->odr_code = k_odr[i].code;
    dev->odr_hz = k_odr[i].hz;
    dev->period_q16 = period_q16_of(k_odr[i].hz2);
}

static size_t odr_index(float odr_hz)
{
    size_t best = 0;
    for (size_t i = 1; i < ODR_COUNT; i++) {
        float d = odr_hz - k_odr[i].hz, db = odr_hz - k_odr[best].hz;
        if ((d < 0 ? -d : d) < (db < 0 ? -db : db)) { /* strict: a tie keeps the lower rate */
            best = i;
        }
    }
    return best;
}

float gs_ism330bx_snap_odr(float odr_hz, uint8_t *code)
{
    /* Rejects NaN, infinities and rates <= 0; anything else snaps, so 5000 Hz gives 3840 Hz
     * (gs_device only passes 7.5 .. 3840 Hz anyway). */
    if (!(odr_hz > 0.0f && odr_hz < 1e30f)) {
        return 0.0f;
    }
    size_t i = odr_index(odr_hz);
    if (code) {
        *code = k_odr[i].code;
    }
    return k_odr[i].hz;
}

/* Forget the timestamp anchor: the next timestamp word re-anchors; held samples are dropped
 * (they precede a loss, so the next timestamp word cannot date them). */
static void resync(gs_ism330bx_t *dev)
{
    dev->trk.tracking = false;
    dev->trk.pending_n = 0;
    dev->trk.pending_slots = 0;
}

/* Extends a raw 32-bit counter reading onto the 64-bit tick count. */
static void advance_ticks(gs_ism330bx_track_t *t, uint32_t tick32)
{
    t->ticks += (uint32_t)(tick32 - t->last_tick32);
    t->last_tick32 = tick32;
}

/* ------------------------------------------------------------------ init */

gs_err_t gs_ism330bx_init(gs_ism330bx_t *dev, const gs_ism330bx_bus_t *bus,
                          const gs_ism330bx_options_t *opt)
{
    if (!dev || !bus || !bus->read || !bus->write || !bus->delay_ms || !opt) {
        return GS_ERR_INVALID_ARG;
    }
    const uint32_t dec = opt->ts_decimation ? opt->ts_decimation : DEFAULT_DECIMATION;
    const uint32_t lsb = opt->ts_lsb_ns ? opt->ts_lsb_ns : DEFAULT_TS_LSB_NS;
    if (opt->fifo_watermark < 1u || opt->fifo_watermark > 255u ||
        opt->burst_words > GS_ISM330BX_MAX_BURST_WORDS || (dec != 1u && dec != 8u && dec != 32u) ||
        lsb < 1000u || lsb > 1000000u) {
        return GS_ERR_INVALID_ARG;
    }
    memset(dev, 0, sizeof *dev);
    dev->bus = *bus;
    dev->opt = *opt;
    dev->opt.ts_decimation = (uint8_t)dec;
    dev->opt.ts_lsb_ns = lsb;
    if (dev->opt.burst_words == 0) {
        dev->opt.burst_words = GS_ISM330BX_MAX_BURST_WORDS;
    }
    dev->lsb_q16 = ((uint64_t)lsb * 65536ull + 500u) / 1000u;
    apply_odr(dev, odr_index(960.0f));
    dev->fs_code = 0x1; /* 250 dps, the reset value's neighbour until configure() */

    uint8_t v = 0;
    if (gs_ism330bx_rd(dev, REG_WHO_AM_I, &v, 1) != GS_OK) {
        return gs_ism330bx_fail(dev, "no answer on the bus");
    }
    if (v != GS_ISM330BX_WHO_AM_I_VALUE) {
        snprintf(dev->error, sizeof dev->error, "WHO_AM_I 0x%02X, expected 0x%02X", (unsigned)v,
                 GS_ISM330BX_WHO_AM_I_VALUE);
        return GS_ERR_SENSOR;
    }
    if (gs_ism330bx_wr(dev, REG_CTRL3, CTRL3_SW_RESET) != GS_OK) {
        return gs_ism330bx_fail(dev, "bus error writing SW_RESET");
    }
    /* SW_RESET self-clears when the registers are back to their defaults; no datasheet
     * figure was found (ST's drivers wait 10 ms), so poll every millisecond for up to 50 ms. */
    bool reset_done = false;
    for (uint32_t i = 0; i < RESET_POLLS && !reset_done; i++) {
        dev->bus.delay_ms(dev->bus.ctx, 1);
        reset_done = gs_ism330bx_rd(dev, REG_CTRL3, &v, 1) == GS_OK && !(v & CTRL3_SW_RESET);
    }
    if (!reset_done) {
        return gs_ism330bx_fail(dev, "SW_RESET did not complete within 50 ms");
    }
    uint8_t ts[4];
    /* BDU + IF_INC (IF_INC is the reset default per [PID]; set it anyway, bursts need it). The
     * timestamp counter is read-modify-written: the other FUNCTIONS_ENABLE bits keep their
     * reset values (not known). Gyro off and FIFO in bypass until start(). */
    if (gs_ism330bx_wr(dev, REG_CTRL3, CTRL3_BDU | CTRL3_IF_INC) != GS_OK ||
        gs_ism330bx_rd(dev, REG_FUNCTIONS_ENABLE, &v, 1) != GS_OK ||
        gs_ism330bx_wr(dev, REG_FUNCTIONS_ENABLE, (uint8_t)(v | FUNCTIONS_ENABLE_TIMESTAMP_EN)) != GS_OK ||
        gs_ism330bx_wr(dev, REG_CTRL2, 0x00) != GS_OK ||
        gs_ism330bx_wr(dev, REG_FIFO_CTRL4, FIFO_MODE_BYPASS) != GS_OK ||
        gs_ism330bx_wr(dev, REG_CTRL6, dev->fs_code) != GS_OK ||
        gs_ism330bx_rd(dev, REG_TIMESTAMP0, ts, sizeof ts) != GS_OK) {
        return gs_ism330bx_fail(dev, "bus error while setting up after the reset");
    }
    dev->trk.last_tick32 = le32(ts);
    dev->trk.ticks = TICK_BASE;
    dev->ready = true;
    return GS_OK;
}

const char *gs_ism330bx_last_error(const gs_ism330bx_t *dev)
{
    return dev ? dev->error : "";
}

void gs_ism330bx_get_stats(const gs_ism330bx_t *dev, gs_ism330bx_stats_t *out)
{
    if (dev && out) {
        *out = dev->stats;
    }
}

/* ------------------------------------------------------------------ sensor ops */

static gs_err_t gs_ism330bx_op_configure(void *ctx, const gs_sensor_settings_t *st, float *actual)
{
    gs_ism330bx_t *dev = ctx;
    if (!dev || !st) {
        return GS_ERR_INVALID_ARG;
    }
    if (!dev->ready || dev->running) {
        return GS_ERR_INVALID_STATE; /* the device configures while stopped */
    }
    if (!(st->odr_hz > 0.0f && st->odr_hz < 1e30f)) {
        return GS_ERR_INVALID_ARG;
    }
    /* FS_G codes per ST's ism330bx-pid (ism330bx_gy_full_scale_t). CONFLICT: ST's Linux driver
     * (st_lsm6dsv16bx, which lists the ISM330BX) programs 4000 dps as 0x6, both PID drivers
     * (ISM330BX and LSM6DSV16BX) say 0xC; the datasheet was not available to settle it. */
    uint8_t fs;
    switch (st->full_scale_dps) {
    case 125: fs = 0x0; break;
    case 250: fs = 0x1; break;
    case 500: fs = 0x2; break;
    case 1000: fs = 0x3; break;
    case 2000: fs = 0x4; break;
    case 4000: fs = 0xC; break;
    default: return GS_ERR_INVALID_ARG;
    }
    if (gs_ism330bx_wr(dev, REG_CTRL6, fs) != GS_OK) {
        dev->stats.bus_errors++;
        return GS_ERR_SENSOR;
    }
    apply_odr(dev, odr_index(st->odr_hz));
    dev->fs_code = fs;
    if (actual) {
        *actual = dev->odr_hz;
    }
    return GS_OK;
}

static gs_err_t gs_ism330bx_op_start(void *ctx)
{
    gs_ism330bx_t *dev = ctx;
    if (!dev || !dev->ready) {
        return GS_ERR_INVALID_STATE;
    }
    dev->running = false;
    const uint8_t dec_code = dev->opt.ts_decimation == 1u ? 1u : dev->opt.ts_decimation == 8u ? 2u : 3u;
    uint8_t st[2], ts[4];
    /* Bypass empties the FIFO (and its overrun flags: FIFO_STATUS2 is read too, since
     * FIFO_OVR_LATCHED clears on read); the timestamp counter is read just before the gyro is
     * switched on, to map sensor time onto the device clock. */
    if (gs_ism330bx_wr(dev, REG_FIFO_CTRL4, FIFO_MODE_BYPASS) != GS_OK ||
        gs_ism330bx_wr(dev, REG_FIFO_CTRL1, (uint8_t)dev->opt.fifo_watermark) != GS_OK ||
        gs_ism330bx_wr(dev, REG_FIFO_CTRL3, (uint8_t)(dev->odr_code << 4)) != GS_OK ||
        gs_ism330bx_wr(dev, REG_INT1_CTRL, dev->opt.int1_fifo_th ? INT1_FIFO_TH : 0u) != GS_OK ||
        gs_ism330bx_rd(dev, REG_FIFO_STATUS1, st, sizeof st) != GS_OK) {
        dev->stats.bus_errors++;
        return GS_ERR_SENSOR;
    }
    /* When the part latches the counter within the transfer is not known: the device time of
     * the reading is taken as the middle of the transfer (half its duration of error at most,
     * ~70 µs at 400 kHz I2C; a constant offset for the whole run, the spacing is unaffected). */
    const bool clk = dev->opt.clock.now_us != NULL;
    const uint64_t t0_us = clk ? dev->opt.clock.now_us(dev->opt.clock.ctx) : 0;
    if (gs_ism330bx_rd(dev, REG_TIMESTAMP0, ts, sizeof ts) != GS_OK) {
        dev->stats.bus_errors++;
        return GS_ERR_SENSOR;
    }
    const uint64_t t1_us = clk ? dev->opt.clock.now_us(dev->opt.clock.ctx) : 0;
    const uint64_t now_us = t0_us + (t1_us - t0_us) / 2u;
    if (gs_ism330bx_wr(dev, REG_CTRL2, dev->odr_code) != GS_OK || /* OP_MODE_G 0: high-performance */
        gs_ism330bx_wr(dev, REG_FIFO_CTRL4, (uint8_t)((unsigned)dec_code << 6 | FIFO_MODE_CONTINUOUS)) != GS_OK) {
        dev->stats.bus_errors++;
        return GS_ERR_SENSOR;
    }
    gs_ism330bx_track_t *t = &dev->trk;
    advance_ticks(t, le32(ts));
    t->have_last = false;
    resync(dev);
    if (clk) {
        dev->offset_us = now_us - ((t->ticks * dev->lsb_q16) >> 16); /* mod 2^64 */
    }
    dev->running = true;
    return GS_OK;
}

static gs_err_t gs_ism330bx_op_stop(void *ctx)
{
    gs_ism330bx_t *dev = ctx;
    if (!dev || !dev->ready) {
        return GS_ERR_INVALID_STATE;
    }
    dev->running = false; /* stopped even if the bus fails: start() reprograms everything */
    if (gs_ism330bx_wr(dev, REG_CTRL2, 0x00) != GS_OK ||
        gs_ism330bx_wr(dev, REG_FIFO_CTRL4, FIFO_MODE_BYPASS) != GS_OK) {
        dev->stats.bus_errors++;
        return GS_ERR_SENSOR;
    }
    return GS_OK;
}

static void emit(gs_ism330bx_t *dev, gs_sample_t *o, uint64_t t_q16, const int16_t xyz[3])
{
    o->timestamp_us = dev->offset_us + (t_q16 >> 16);
    o->xyz[0] = xyz[0];
    o->xyz[1] = xyz[1];
    o->xyz[2] = xyz[2];
    dev->trk.last_q16 = t_q16;
    dev->trk.have_last = true;
}

/* A timestamp word: re-anchor the next gyro slot, and date held samples backwards. */
static size_t on_timestamp(gs_ism330bx_t *dev, uint32_t tick32, gs_sample_t *out, size_t n)
{
    gs_ism330bx_track_t *t = &dev->trk;
    const uint64_t p = dev->period_q16, half = p / 2u;
    dev->stats.timestamp_words++;
    advance_ticks(t, tick32);
    uint64_t ts = t->ticks * dev->lsb_q16;
    if (t->tracking) {
        if (ts > t->next_q16 + half) {
            dev->stats.ts_jumps++;
            dev->stats.lost_samples += (ts - t->next_q16 + half) / p;
        } else if (ts + half < t->next_q16) {
            dev->stats.ts_jumps++;
        }
    } else {
        uint64_t first = ts - (uint64_t)t->pending_slots * p;
        if (t->have_last) {
            if (first > t->last_q16) {
                const uint64_t periods = (first - t->last_q16 + half) / p;
                dev->stats.lost_samples += periods > 1u ? periods - 1u : 0u;
            } else {
                /* dated at or before the last delivered sample: keep the order */
                dev->stats.ts_jumps++;
                first = t->last_q16 + p;
                ts = first + (uint64_t)t->pending_slots * p;
            }
        }
        for (uint16_t i = 0; i < t->pending_n; i++) {
            emit(dev, &out[n++], first + (uint64_t)dev->pending[i].slot * p, dev->pending[i].xyz);
        }
        t->pending_n = 0;
        t->pending_slots = 0;
        t->tracking = true;
    }
    /* A timestamp not after the last delivered sample belongs to a sample already out (the
     * timestamp word was written after its data): the next slot is whole periods later. */
    if (t->have_last && ts <= t->last_q16) {
        ts += ((t->last_q16 - ts) / p + 1u) * p;
    }
    t->next_q16 = ts;
    return n;
}

/* Parses `words` FIFO words of the burst buffer into out[n...]; returns the new n. */
static size_t parse(gs_ism330bx_t *dev, size_t words, gs_sample_t *out, size_t n)
{
    gs_ism330bx_track_t *t = &dev->trk;
    const uint8_t *w = dev->burst;
    for (size_t i = 0; i < words; i++, w += WORD_BYTES) {
        switch (w[0] >> 3) {
        case TAG_GYRO_NC: {
            /* The payload is Z, Y, X (data[0..1] = Z, [2..3] = Y, [4..5] = X), unlike the output
             * registers OUTX_L_G 0x22.. (X, Y, Z): ST's ism330bx_fifo.c example ("axis are
             * inverted") and its Linux driver (st_lsm6dsv16bx_read_fifo) both swap it for gyro
             * and accelerometer words. DS-UNVERIFIED; the previous driver read X, Y, Z. */
            const int16_t xyz[3] = {le16(w + 5), le16(w + 3), le16(w + 1)};
            const bool settling = xyz[2] >= SETTLING_MARKER;
            if (t->tracking) {
                const uint64_t at = t->next_q16;
                t->next_q16 += dev->period_q16;
                if (settling) {
                    dev->stats.settling_discarded++;
                } else {
                    emit(dev, &out[n++], at, xyz);
                }
            } else {
                /* No timestamp word yet: hold it (its slot still counts in the spacing). */
                if (settling) {
                    dev->stats.settling_discarded++;
                } else if (t->pending_n < GS_ISM330BX_MAX_PENDING) {
                    gs_ism330bx_pending_t *pe = &dev->pending[t->pending_n++];
                    pe->xyz[0] = xyz[0];
                    pe->xyz[1] = xyz[1];
                    pe->xyz[2] = xyz[2];
                    pe->slot = t->pending_slots;
                } else {
                    dev->stats.untimed_dropped++;
                }
                if (t->pending_slots < UINT16_MAX) {
                    t->pending_slots++;
                }
            }
            break;
        }
        case TAG_TIMESTAMP:
            n = on_timestamp(dev, le32(w + 1), out, n);
            break;
        case TAG_CFG_CHANGE:
            /* Written when a batched sensor changes rate with FIFO_CTRL2.ODR_CHG_EN; this driver
             * changes rate only through stop + configure + start (bypass in between), so one is
             * unexpected: skip it. */
            dev->stats.cfg_change_words++;
            break;
        default: /* accelerometer, temperature, empty (0), compressed, ...: not batched here */
            dev->stats.skipped_words++;
            break;
        }
    }
    return n;
}

static gs_err_t gs_ism330bx_op_read(void *ctx, gs_sample_t *out, size_t max, size_t *n)
{
    gs_ism330bx_t *dev = ctx;
    if (!n) {
        return GS_ERR_INVALID_ARG;
    }
    *n = 0;
    if (!dev || (!out && max)) {
        return GS_ERR_INVALID_ARG;
    }
    if (!dev->running) {
        return GS_OK;
    }
    dev->stats.reads++;
    uint8_t st[2];
    if (gs_ism330bx_rd(dev, REG_FIFO_STATUS1, st, sizeof st) != GS_OK) {
        dev->stats.bus_errors++; /* nothing consumed: the state stays as it was */
        return GS_ERR_SENSOR;
    }
    size_t level = ((size_t)(st[1] & FIFO_STATUS2_DIFF8) << 8) | st[0];
    if (st[1] & (FIFO_STATUS2_OVR_IA | FIFO_STATUS2_OVR_LATCHED)) {
        /* The oldest words were overwritten: the FIFO head follows a loss of unknown size. */
        dev->stats.overflows++;
        resync(dev);
    }
    /* Every word yields at most one sample, plus the held ones when a timestamp arrives. */
    const size_t room = max > dev->trk.pending_n ? max - dev->trk.pending_n : 0;
    size_t words = level < room ? level : room;
    if (words == 0) {
        return GS_OK;
    }
    const gs_ism330bx_track_t saved = dev->trk;
    const gs_ism330bx_stats_t saved_stats = dev->stats;
    size_t got = 0;
    while (words > 0) {
        const size_t chunk = words < dev->opt.burst_words ? words : dev->opt.burst_words;
        if (gs_ism330bx_rd(dev, REG_FIFO_DATA_OUT_TAG, dev->burst, chunk * WORD_BYTES) != GS_OK) {
            const uint64_t bursts = dev->stats.bursts, words_read = dev->stats.words_read;
            dev->trk = saved;
            dev->stats = saved_stats;
            dev->stats.bursts = bursts;
            dev->stats.words_read = words_read;
            dev->stats.bus_errors++;
            resync(dev); /* the failed transfer may have popped words: re-anchor, count the loss */
            return GS_ERR_SENSOR;
        }
        dev->stats.bursts++;
        dev->stats.words_read += chunk;
        got = parse(dev, chunk, out, got);
        words -= chunk;
    }
    dev->stats.gyro_samples += got;
    *n = got;
    return GS_OK;
}

static const gs_sensor_ops_t s_ops = {
    .model = "ISM330BX",
    .configure = gs_ism330bx_op_configure,
    .start = gs_ism330bx_op_start,
    .stop = gs_ism330bx_op_stop,
    .read = gs_ism330bx_op_read,
};

void gs_ism330bx_sensor(gs_ism330bx_t *dev, gs_sensor_t *out)
{
    if (out) {
        out->ops = &s_ops;
        out->ctx = dev;
    }
}
