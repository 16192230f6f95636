/*
 * ISM330BX driver core (src/gs_ism330bx.c) against the register-level model
 * (ism330bx_model.c): probe and reset, rate and range codes, FIFO bursts at 3840 Hz, sample
 * values, axis order and times, overflow as a gap, ODR change, bus errors, timestamp wrap.
 *
 * Sample checks: the model's signal encodes the global sample index g in X, Y and Z, so each
 * delivered sample is matched to the g that produced it (order, duplicates and axis swaps
 * show), and its time is compared with the model's true time of g: within one timestamp LSB
 * (21.75 µs) plus 1 µs of truncation.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gs_batcher.h"
#include "gs_ism330bx.h"
#include "ism330bx_model.h"

#define PERIOD_3840_NS 260416.6667
#define TIME_TOLERANCE_NS 22750.0 /* one LSB + 1 µs */

typedef struct {
    ism_model_t m;
    gs_ism330bx_t dev;
    gs_sensor_t s;
    gs_sample_t buf[64];
    /* what the checks expect next */
    bool have_g;
    uint64_t next_g;
    uint64_t last_us;
    uint64_t delivered;
    /* relative mode (a bus that takes time): the device-clock anchor taken at start is only
     * known to within the TIMESTAMP0..3 read, so times are checked against the first
     * sample's offset, within two LSBs */
    bool relative;
    bool have_offset;
    double offset_ns;
} rig_t;

static rig_t R;

static gs_ism330bx_options_t opts(uint16_t wtm, uint16_t burst, uint8_t dec)
{
    gs_ism330bx_options_t o = GS_ISM330BX_OPTIONS_DEFAULT();
    o.fifo_watermark = wtm;
    o.burst_words = burst;
    o.ts_decimation = dec;
    o.clock = ism_model_clock(&R.m);
    return o;
}

static void rig_init(const gs_ism330bx_options_t *o)
{
    memset(&R, 0, sizeof R);
    ism_model_init(&R.m);
    gs_ism330bx_options_t oo = *o;
    oo.clock = ism_model_clock(&R.m);
    gs_ism330bx_bus_t bus = ism_model_bus(&R.m);
    assert_int_equal(gs_ism330bx_init(&R.dev, &bus, &oo), GS_OK);
    gs_ism330bx_sensor(&R.dev, &R.s);
}

static float configure(float odr, uint32_t fs)
{
    gs_sensor_settings_t st = {.odr_hz = odr, .full_scale_dps = fs};
    float actual = -1.0f;
    assert_int_equal(R.s.ops->configure(R.s.ctx, &st, &actual), GS_OK);
    return actual;
}

static void start(void)
{
    assert_int_equal(R.s.ops->start(R.s.ctx), GS_OK);
    R.have_g = false;
}

static bool values_are(const gs_sample_t *s, uint64_t g)
{
    return s->xyz[0] == ism_model_gyro_value(g, 0) && s->xyz[1] == ism_model_gyro_value(g, 1) &&
           s->xyz[2] == ism_model_gyro_value(g, 2);
}

/* The index that produced s: the expected one, or the first later one with its values
 * (after a loss). Fails when none within `search` indices. */
static uint64_t index_of(const gs_sample_t *s, uint64_t from, uint64_t search)
{
    for (uint64_t g = from; g < from + search; g++) {
        if (values_are(s, g)) {
            return g;
        }
    }
    fail_msg("sample (%d, %d, %d) matches no index in [%llu, +%llu)", s->xyz[0], s->xyz[1], s->xyz[2],
             (unsigned long long)from, (unsigned long long)search);
    return 0;
}

static void check_time(const gs_sample_t *s, uint64_t g)
{
    double err = (double)s->timestamp_us * 1000.0 - (double)ism_model_gyro_time_ns(&R.m, g);
    double tol = TIME_TOLERANCE_NS;
    if (R.relative) {
        if (!R.have_offset) {
            R.have_offset = true;
            R.offset_ns = err;
        }
        err -= R.offset_ns;
        tol = 2 * TIME_TOLERANCE_NS;
    }
    if (fabs(err) > tol) {
        fail_msg("sample %llu at %llu us is %.1f us off its true time", (unsigned long long)g,
                 (unsigned long long)s->timestamp_us, err / 1000.0);
    }
}

/* Strict check: every sample is the next index, with its values and its time. */
static void check_strict(const gs_sample_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t g = R.have_g ? R.next_g : index_of(&s[i], R.m.run_first_index, 64);
        if (!values_are(&s[i], g)) {
            fail_msg("expected sample %llu, got (%d, %d, %d)", (unsigned long long)g, s[i].xyz[0],
                     s[i].xyz[1], s[i].xyz[2]);
        }
        check_time(&s[i], g);
        if (R.delivered) {
            assert_true(s[i].timestamp_us > R.last_us);
        }
        R.last_us = s[i].timestamp_us;
        R.have_g = true;
        R.next_g = g + 1;
        R.delivered++;
    }
}

/* The device's loop (gs_device_sensor_step): read 64 at a time until fewer come back. */
typedef void (*check_fn)(const gs_sample_t *s, size_t n);
static size_t drain(check_fn check)
{
    size_t total = 0, n;
    do {
        n = 0;
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        if (check) {
            check(R.buf, n);
        }
        total += n;
    } while (n == 64);
    return total;
}

/* Advance until the FIFO holds at least `words` (the watermark interrupt), in steps of a
 * quarter period. */
static void wait_level(uint16_t words)
{
    const uint64_t step = ism_model_period_ns(&R.m) / 4u + 1u;
    while (ism_model_fifo_level(&R.m) < words) {
        ism_model_advance_ns(&R.m, step);
    }
}

static gs_ism330bx_stats_t stats(void)
{
    gs_ism330bx_stats_t st;
    gs_ism330bx_get_stats(&R.dev, &st);
    return st;
}

/* ------------------------------------------------------------------ probe and reset */

static void ism330bx_init_resets_and_enables_bdu_ifinc_and_timestamp(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(64, 64, 8);
    rig_init(&o);
    assert_int_equal(R.m.resets, 1);                 /* SW_RESET took effect */
    assert_true(R.m.delays_ms >= 3 && R.m.delays_ms <= 5); /* polled until it self-cleared */
    assert_int_equal(R.m.regs[0x12], 0x44);          /* CTRL3: BDU | IF_INC, SW_RESET clear */
    assert_int_equal(R.m.regs[0x50] & 0x40, 0x40);   /* FUNCTIONS_ENABLE.TIMESTAMP_EN */
    assert_true(R.m.ts_enabled);
    assert_int_equal(R.m.regs[0x11], 0x00);          /* gyro off */
    assert_int_equal(R.m.regs[0x0A], 0x00);          /* FIFO bypass */
    assert_int_equal(R.m.failed_transactions, 0);
    assert_string_equal(gs_ism330bx_last_error(&R.dev), "");
    assert_string_equal(R.s.ops->model, "ISM330BX");
    /* nothing streams until start */
    size_t n = 99;
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
    assert_int_equal(n, 0);
}

static void ism330bx_wrong_who_am_i_is_refused_with_the_value(void **state)
{
    (void)state;
    static ism_model_t m;
    static gs_ism330bx_t dev;
    ism_model_init(&m);
    m.who_am_i = 0x6C; /* an LSM6DSO */
    gs_ism330bx_bus_t bus = ism_model_bus(&m);
    gs_ism330bx_options_t o = GS_ISM330BX_OPTIONS_DEFAULT();
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_SENSOR);
    assert_string_equal(gs_ism330bx_last_error(&dev), "WHO_AM_I 0x6C, expected 0x71");
    assert_int_equal(m.bytes_written, 0); /* not reset: it is not our part */
    gs_sensor_t s;
    gs_ism330bx_sensor(&dev, &s);
    assert_int_equal(s.ops->start(s.ctx), GS_ERR_INVALID_STATE);
}

static void ism330bx_sensor_that_does_not_answer_is_reported(void **state)
{
    (void)state;
    static ism_model_t m;
    static gs_ism330bx_t dev;
    ism_model_init(&m);
    ism_model_set_absent(&m, true);
    gs_ism330bx_bus_t bus = ism_model_bus(&m);
    gs_ism330bx_options_t o = GS_ISM330BX_OPTIONS_DEFAULT();
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_SENSOR);
    assert_string_equal(gs_ism330bx_last_error(&dev), "no answer on the bus");
    assert_int_equal(m.transactions, 1);
}

static void ism330bx_reset_that_never_completes_gives_up_after_50_ms(void **state)
{
    (void)state;
    static ism_model_t m;
    static gs_ism330bx_t dev;
    ism_model_init(&m);
    m.reset_delay_ns = 1000000000u;
    gs_ism330bx_bus_t bus = ism_model_bus(&m);
    gs_ism330bx_options_t o = GS_ISM330BX_OPTIONS_DEFAULT();
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_SENSOR);
    assert_string_equal(gs_ism330bx_last_error(&dev), "SW_RESET did not complete within 50 ms");
    assert_int_equal(m.delays_ms, 50);
}

static void ism330bx_options_are_checked(void **state)
{
    (void)state;
    static ism_model_t m;
    static gs_ism330bx_t dev;
    ism_model_init(&m);
    gs_ism330bx_bus_t bus = ism_model_bus(&m);
    gs_ism330bx_options_t o = GS_ISM330BX_OPTIONS_DEFAULT();
    o.fifo_watermark = 0;
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_INVALID_ARG);
    o.fifo_watermark = 256;
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_INVALID_ARG);
    o.fifo_watermark = 255;
    o.burst_words = GS_ISM330BX_MAX_BURST_WORDS + 1;
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_INVALID_ARG);
    o.burst_words = 0;
    o.ts_decimation = 4;
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_ERR_INVALID_ARG);
    o.ts_decimation = 32;
    assert_int_equal(gs_ism330bx_init(NULL, &bus, &o), GS_ERR_INVALID_ARG);
    assert_int_equal(m.transactions, 0);
    assert_int_equal(gs_ism330bx_init(&dev, &bus, &o), GS_OK);
}

/* ------------------------------------------------------------------ rates and ranges */

static void ism330bx_odr_snaps_to_the_nearest_rate_and_full_scale_codes(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(32, 64, 8);
    rig_init(&o);
    static const struct { float in, out; uint8_t code; } odr[] = {
        {1000, 960, 0x9}, {7, 7.5f, 0x2}, {5000, 3840, 0xB}, {7.5f, 7.5f, 0x2}, {3840, 3840, 0xB},
        {100, 120, 0x6}, {90, 60, 0x5} /* tie: the lower */, {11.25f, 7.5f, 0x2}, {1500, 1920, 0xA},
        {0.1f, 7.5f, 0x2},
    };
    for (size_t i = 0; i < sizeof odr / sizeof odr[0]; i++) {
        assert_true(configure(odr[i].in, 250) == odr[i].out);
        start();
        assert_int_equal(R.m.regs[0x11], odr[i].code);        /* CTRL2: ODR_G, high-performance */
        assert_int_equal(R.m.regs[0x09], odr[i].code << 4);   /* FIFO_CTRL3: BDR_GY, no accel */
        assert_int_equal(R.s.ops->stop(R.s.ctx), GS_OK);
        assert_int_equal(R.m.regs[0x11], 0);
    }
    static const struct { uint32_t dps; uint8_t code; } fs[] = {
        {125, 0x0}, {250, 0x1}, {500, 0x2}, {1000, 0x3}, {2000, 0x4}, {4000, 0xC},
    };
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        configure(960, fs[i].dps);
        assert_int_equal(R.m.regs[0x15], fs[i].code);          /* CTRL6.FS_G */
    }
    gs_sensor_settings_t bad[] = {{960, 300}, {960, 0}, {0, 250}, {-5, 250}, {NAN, 250}, {INFINITY, 250}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        float actual = -1;
        assert_int_equal(R.s.ops->configure(R.s.ctx, &bad[i], &actual), GS_ERR_INVALID_ARG);
        assert_true(actual == -1);
    }
    assert_int_equal(R.m.regs[0x15], 0xC); /* a refused configure changes nothing */
    /* start programs the FIFO as documented */
    configure(3840, 2000);
    start();
    assert_int_equal(R.m.regs[0x07], 32);               /* FIFO_CTRL1: watermark */
    assert_int_equal(R.m.regs[0x0A], (2 << 6) | 6);     /* DEC_TS_BATCH 8, continuous */
    assert_int_equal(R.m.regs[0x0D], 0x08);             /* INT1_FIFO_TH */
    gs_sensor_settings_t st = {.odr_hz = 960, .full_scale_dps = 250};
    assert_int_equal(R.s.ops->configure(R.s.ctx, &st, NULL), GS_ERR_INVALID_STATE);
    assert_int_equal(R.s.ops->stop(R.s.ctx), GS_OK);
    assert_int_equal(R.m.regs[0x0A], 0);                /* bypass */
    float hz;
    uint8_t code = 0;
    hz = gs_ism330bx_snap_odr(1000.0f, &code);
    assert_true(hz == 960.0f && code == 0x9);
    assert_true(gs_ism330bx_snap_odr(NAN, NULL) == 0.0f);
}

/* ------------------------------------------------------------------ streaming */

static void run_bursts(uint16_t wtm, uint16_t burst, uint8_t dec, uint64_t samples)
{
    gs_ism330bx_options_t o = opts(wtm, burst, dec);
    rig_init(&o);
    assert_true(configure(3840, 2000) == 3840.0f);
    start();
    while (R.delivered < samples) {
        wait_level(wtm);
        drain(check_strict);
    }
    gs_ism330bx_stats_t st = stats();
    assert_int_equal(st.gyro_samples, R.delivered);
    assert_int_equal(st.lost_samples, 0);
    assert_int_equal(st.overflows, 0);
    assert_int_equal(st.ts_jumps, 0);
    assert_int_equal(st.untimed_dropped, 0);
    assert_int_equal(st.bus_errors, 0);
    assert_int_equal(R.m.words_overwritten, 0);
    /* one timestamp word per `dec` samples (the last group may be partial or still in the FIFO) */
    assert_true(st.timestamp_words + 1 >= st.gyro_samples / dec && st.timestamp_words <= st.gyro_samples / dec + 1);
    /* every word read is a gyro or a timestamp word; each burst is at most `burst` words */
    assert_int_equal(st.words_read, st.gyro_samples + st.timestamp_words);
    assert_true(st.bursts * burst >= st.words_read);
    assert_int_equal(R.m.bytes_read > st.words_read * 7u, 1);
}

static void ism330bx_burst_reads_at_3840hz_across_watermarks(void **state)
{
    (void)state;
    /* 200, not 208: a watermark at the depth overflows when a timestamp + gyro pair lands on
     * 207 words before the reader gets there. */
    static const uint16_t wtms[] = {1, 16, 64, 128, 200};
    static const uint16_t bursts[] = {1, 7, 16, 64};
    for (size_t i = 0; i < sizeof wtms / sizeof wtms[0]; i++) {
        for (size_t j = 0; j < sizeof bursts / sizeof bursts[0]; j++) {
            run_bursts(wtms[i], bursts[j], 8, 3000);
        }
    }
}

static void ism330bx_burst_reads_with_every_timestamp_decimation(void **state)
{
    (void)state;
    static const uint8_t decs[] = {1, 8, 32};
    for (size_t i = 0; i < sizeof decs / sizeof decs[0]; i++) {
        run_bursts(64, 64, decs[i], 4000);
        run_bursts(1, 16, decs[i], 500);
        run_bursts(150, 32, decs[i], 2000);
    }
}

/* With the bus taking real time (400 kHz I2C: 9 clocks = 22.5 µs per byte), samples keep
 * arriving during the bursts. One timestamp word per 8 samples keeps up at 3840 Hz; one per
 * sample (14 bytes per sample, 315 µs > 260 µs) cannot: the FIFO overflows. */
static void ism330bx_timestamp_decimation_8_keeps_up_on_400khz_i2c_where_1_cannot(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(48, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    R.m.bus_ns_per_byte = 22500;
    R.relative = true;
    start();
    while (R.delivered < 20000) {
        wait_level(48);
        drain(check_strict);
    }
    assert_int_equal(stats().overflows, 0);
    assert_int_equal(stats().lost_samples, 0);
    /* the anchor is the middle of the TIMESTAMP0..3 read: off by at most half its bus time */
    assert_true(fabs(R.offset_ns) <= 3.0 * 22500 + TIME_TOLERANCE_NS);

    o = opts(48, 64, 1);
    rig_init(&o);
    configure(3840, 2000);
    R.m.bus_ns_per_byte = 22500;
    start();
    uint64_t got = 0;
    while (R.m.now_ns < 2000000000u) {
        wait_level(48);
        got += drain(NULL);
    }
    assert_true(stats().overflows > 0);
    assert_true(stats().lost_samples > 0);
    assert_true(got < 2 * 3840);
}

static void ism330bx_fifo_payload_is_z_y_x_and_odd_words_are_skipped(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(1, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    start(); /* FIFO in continuous mode; no time passes, so only injected words are there */
    const uint8_t ts[6] = {0x10, 0x27, 0, 0, 0, 0};
    const uint8_t gyro[6] = {1, 0, 2, 0, 3, 0};             /* Z = 1, Y = 2, X = 3 */
    const uint8_t settling[6] = {0xFE, 0x7F, 0xFE, 0x7F, 0xFE, 0x7F};
    const uint8_t accel[6] = {9, 9, 9, 9, 9, 9};
    const uint8_t gyro_a[6] = {0xF6, 0xFF, 20, 0, 30, 0};   /* Z = -10, Y = 20, X = 30 */
    ism_model_push_word(&R.m, 0x02, accel);                 /* accelerometer: skipped */
    ism_model_push_word(&R.m, 0x01, gyro_a);                /* before any timestamp: held */
    ism_model_push_word(&R.m, 0x01, settling);              /* dropped, but it takes a slot */
    ism_model_push_word(&R.m, 0x04, ts);                    /* tick 10000 */
    ism_model_push_word(&R.m, 0x01, gyro);
    ism_model_push_word(&R.m, 0x05, accel);                 /* CFG_CHANGE: skipped */
    ism_model_push_word(&R.m, 0x03, accel);                 /* temperature: skipped */
    ism_model_push_word(&R.m, 0x01, gyro);
    size_t n = 0;
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(R.buf[0].xyz[0], 30);
    assert_int_equal(R.buf[0].xyz[1], 20);
    assert_int_equal(R.buf[0].xyz[2], -10);
    assert_int_equal(R.buf[1].xyz[0], 3);
    assert_int_equal(R.buf[1].xyz[1], 2);
    assert_int_equal(R.buf[1].xyz[2], 1);
    /* the held sample is dated two periods before the timestamp (the settling word kept its
     * slot), the next one period after */
    const int64_t dt0 = (int64_t)(R.buf[1].timestamp_us - R.buf[0].timestamp_us);
    const int64_t dt1 = (int64_t)(R.buf[2].timestamp_us - R.buf[1].timestamp_us);
    assert_true(dt0 == 520 || dt0 == 521);
    assert_true(dt1 == 260 || dt1 == 261);
    /* and the timestamp word's own time: tick 10000 after the start reading, 21.75 µs each */
    const uint64_t t_ts = R.buf[1].timestamp_us;
    const uint32_t c0 = ism_model_timestamp(&R.m); /* what start() read; no time has passed */
    const double expect_us = (double)R.m.now_ns / 1000.0 + (double)(uint32_t)(10000u - c0) * 21.75;
    assert_true(fabs((double)R.buf[1].timestamp_us - expect_us) <= 1.5);
    gs_ism330bx_stats_t st = stats();
    assert_int_equal(st.skipped_words, 2);
    assert_int_equal(st.cfg_change_words, 1);
    assert_int_equal(st.settling_discarded, 1);
    assert_int_equal(st.words_read, 8);
    assert_int_equal(st.ts_jumps, 0);

    /* A loss the status flags did not show (e.g. an overrun between the status read and the
     * burst): the next timestamp word is 10 periods after the previous one where 2 were
     * expected, so 8 samples are counted lost and the time jumps with it. */
    const uint32_t tick2 = 10000u + 120u; /* 120 ticks = 10.02 periods of 260.42 µs */
    const uint8_t ts2[6] = {(uint8_t)tick2, (uint8_t)(tick2 >> 8), 0, 0, 0, 0};
    ism_model_push_word(&R.m, 0x04, ts2);
    ism_model_push_word(&R.m, 0x01, gyro);
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
    assert_int_equal(n, 1);
    const int64_t jump = (int64_t)(R.buf[0].timestamp_us - t_ts);
    assert_true(jump >= 2609 - 2 && jump <= 2610 + 2); /* 120 x 21.75 µs */
    st = stats();
    assert_int_equal(st.ts_jumps, 1);
    assert_int_equal(st.lost_samples, 8);
}

/* Samples lost to an overflow show as a time jump of exactly the lost count, the stats count
 * them, and the batcher closes its batch there. */
static void ism330bx_fifo_overflow_is_reported_as_a_gap(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(64, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    start();
    static gs_sample_t all[2000];
    size_t n_all = 0; /* what the device would push into its ring */
    for (int round = 0; round < 3; round++) {
        wait_level(64);
        size_t n;
        do {
            n = 0;
            assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
            memcpy(&all[n_all], R.buf, n * sizeof R.buf[0]);
            n_all += n;
        } while (n == 64);
    }
    const size_t before = n_all;
    assert_true(before > 100);
    const uint64_t g_last = index_of(&all[before - 1], 0, 100000);
    /* the reader is 400 samples late: 450 words do not fit 208 */
    ism_model_advance_ns(&R.m, (uint64_t)(400 * PERIOD_3840_NS));
    assert_true(R.m.words_overwritten > 0);
    size_t n;
    do {
        n = 0;
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        memcpy(&all[n_all], R.buf, n * sizeof R.buf[0]);
        n_all += n;
    } while (n == 64);
    assert_true(n_all > before);
    const uint64_t g_first = index_of(&all[before], g_last + 1, 1000);
    const uint64_t lost = g_first - g_last - 1;
    assert_true(lost > 200);
    assert_int_equal(lost, R.m.gyro_words_overwritten);
    gs_ism330bx_stats_t st = stats();
    assert_int_equal(st.overflows, 1);
    assert_int_equal(st.lost_samples, lost);
    /* the jump is (lost + 1) periods, within one timestamp LSB */
    const double jump_ns = (double)(all[before].timestamp_us - all[before - 1].timestamp_us) * 1000.0;
    assert_true(fabs(jump_ns - (double)(lost + 1) * PERIOD_3840_NS) <= 2 * TIME_TOLERANCE_NS);
    /* every sample after the gap is the next index, at its true time */
    for (size_t i = before; i < n_all; i++) {
        assert_true(values_are(&all[i], g_first + (i - before)));
        check_time(&all[i], g_first + (i - before));
    }
    /* the device's batcher sees the gap: the batch in progress closes at the last sample before it */
    gs_batcher_config_t bc = {.batch_size = 250, .axes_mask = 7, .input_period_ns = 260417, .decimation = 1};
    gs_batcher_handle_t b = NULL;
    assert_int_equal(gs_batcher_create(&bc, &b), GS_OK);
    static gs_envelope_t env;
    size_t closed_at = 0;
    for (size_t i = 0; i < n_all; i++) {
        bool produced = false;
        assert_int_equal(gs_batcher_add(b, &all[i], &env, &produced), GS_OK);
        if (produced) {
            closed_at = i;
            assert_int_equal(env.body.sample_batch.count, before);
            assert_int_equal(env.body.sample_batch.timestamp_us, all[0].timestamp_us);
        }
    }
    assert_int_equal(closed_at, before);
    gs_batcher_destroy(b);
}

static void ism330bx_odr_change_mid_stream_gives_the_new_spacing(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(32, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    start();
    while (R.delivered < 1000) {
        wait_level(32);
        drain(check_strict);
    }
    const uint64_t last_fast = R.last_us;
    /* the device does it this way: stop, configure, start */
    assert_int_equal(R.s.ops->stop(R.s.ctx), GS_OK);
    ism_model_advance_us(&R.m, 5000);
    assert_true(configure(1000, 2000) == 960.0f);
    R.m.settle_samples = 3; /* the first three are settling markers */
    start();
    const uint64_t first_index = R.m.run_first_index;
    gs_sample_t prev = {0};
    uint64_t n_slow = 0;
    while (n_slow < 300) {
        wait_level(32);
        size_t n = 0;
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        for (size_t i = 0; i < n; i++) {
            const uint64_t g = first_index + 3 + n_slow;
            assert_true(values_are(&R.buf[i], g));
            check_time(&R.buf[i], g);
            if (n_slow > 0) {
                const int64_t dt = (int64_t)(R.buf[i].timestamp_us - prev.timestamp_us);
                assert_true(dt >= 1041 - 22 && dt <= 1042 + 22);
            } else {
                assert_true(R.buf[i].timestamp_us > last_fast + 5000);
            }
            prev = R.buf[i];
            n_slow++;
        }
    }
    gs_ism330bx_stats_t st = stats();
    assert_int_equal(st.settling_discarded, 3);
    assert_int_equal(st.lost_samples, 0); /* a restart is not a loss */
    assert_int_equal(st.ts_jumps, 0);
}

static void ism330bx_bus_error_mid_read_fails_and_the_next_read_recovers(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(64, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    start();
    wait_level(64);
    drain(check_strict);

    /* 1. the status read fails: nothing consumed, nothing lost */
    wait_level(64);
    ism_model_fail(&R.m, 0, 1, 0);
    size_t n = 7;
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_ERR_SENSOR);
    assert_int_equal(n, 0);
    drain(check_strict);
    assert_int_equal(stats().lost_samples, 0);

    /* 2. the burst fails after 5 words were popped: an error, then the next read delivers the
     *    rest with the time jump of what was lost, and counts it */
    wait_level(64);
    const uint64_t g_last = R.next_g - 1, popped_before = R.m.words_popped;
    const uint64_t ts_before = R.last_us;
    ism_model_fail(&R.m, 1, 1, 5 * 7);
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_ERR_SENSOR);
    assert_int_equal(n, 0);
    assert_int_equal(R.m.words_popped - popped_before, 5);
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
    assert_true(n > 0);
    const uint64_t g_first = index_of(&R.buf[0], g_last + 1, 64);
    const uint64_t lost = g_first - g_last - 1;
    assert_true(lost >= 4 && lost <= 5); /* 5 words, of which one may be a timestamp */
    assert_int_equal(stats().lost_samples, lost);
    check_time(&R.buf[0], g_first);
    const double jump_ns = (double)(R.buf[0].timestamp_us - ts_before) * 1000.0;
    assert_true(fabs(jump_ns - (double)(lost + 1) * PERIOD_3840_NS) <= 2 * TIME_TOLERANCE_NS);
    R.next_g = g_first;
    R.have_g = true;
    R.delivered = 0;
    check_strict(R.buf, n);
    drain(check_strict);

    /* 2b. with 16-word bursts, the third transaction (second chunk) fails after the first
     *     chunk was parsed: that chunk's samples are not delivered, so they count as lost */
    {
        gs_ism330bx_options_t o16 = opts(64, 16, 8);
        static rig_t saved_rig;
        saved_rig = R;
        rig_init(&o16);
        configure(3840, 2000);
        start();
        wait_level(64);
        drain(check_strict);
        wait_level(64);
        const uint64_t g_prev = R.next_g - 1;
        ism_model_fail(&R.m, 2, 1, 0);
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_ERR_SENSOR);
        assert_int_equal(n, 0);
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        const uint64_t g_next = index_of(&R.buf[0], g_prev + 1, 64);
        assert_true(g_next - g_prev - 1 >= 14); /* the first chunk: 16 words, 14 or 15 gyro */
        assert_int_equal(stats().lost_samples, g_next - g_prev - 1);
        check_time(&R.buf[0], g_next);
        R = saved_rig;
    }

    /* 3. a burst that fails before any byte lands loses nothing */
    wait_level(64);
    ism_model_fail(&R.m, 1, 1, 0);
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_ERR_SENSOR);
    drain(check_strict);
    assert_int_equal(stats().lost_samples, lost);

    /* 4. the sensor stops answering for a while, then comes back */
    wait_level(16);
    ism_model_set_absent(&R.m, true);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_ERR_SENSOR);
        assert_int_equal(n, 0);
    }
    ism_model_set_absent(&R.m, false);
    drain(check_strict);
    assert_int_equal(stats().bus_errors, 6);
    assert_int_equal(stats().lost_samples, lost);

    /* 5. a failed start leaves the sensor stopped; the next start works */
    assert_int_equal(R.s.ops->stop(R.s.ctx), GS_OK);
    ism_model_fail(&R.m, 2, 1, 0);
    assert_int_equal(R.s.ops->start(R.s.ctx), GS_ERR_SENSOR);
    assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
    assert_int_equal(n, 0);
    start();
    wait_level(64);
    drain(check_strict);
}

static void ism330bx_timestamp_counter_wraps_across_2_pow_32(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(64, 64, 8);
    rig_init(&o);
    configure(3840, 2000);
    ism_model_set_timestamp(&R.m, 0xFFFFFFFFu - 3000u); /* 65 ms before the wrap */
    start();
    while (R.delivered < 2000) { /* 520 ms: across the wrap */
        wait_level(64);
        drain(check_strict);
    }
    assert_true(ism_model_timestamp(&R.m) < 100000u);
    assert_int_equal(stats().ts_jumps, 0);
    assert_int_equal(stats().lost_samples, 0);

    /* and without a device clock: sensor time since init, still evenly spaced */
    gs_ism330bx_options_t o2 = opts(64, 64, 8);
    memset(&R, 0, sizeof R);
    ism_model_init(&R.m);
    gs_ism330bx_bus_t bus = ism_model_bus(&R.m);
    o2.clock.now_us = NULL;
    assert_int_equal(gs_ism330bx_init(&R.dev, &bus, &o2), GS_OK);
    gs_ism330bx_sensor(&R.dev, &R.s);
    configure(3840, 2000);
    ism_model_set_timestamp(&R.m, 0xFFFFFFFFu - 1000u);
    start();
    uint64_t prev = 0, count = 0;
    while (count < 1000) {
        wait_level(64);
        size_t n = 0;
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        for (size_t i = 0; i < n; i++, count++) {
            if (count) {
                const int64_t dt = (int64_t)(R.buf[i].timestamp_us - prev);
                assert_true(dt >= 260 - 22 && dt <= 261 + 22);
            }
            prev = R.buf[i].timestamp_us;
        }
    }
}

/* If the part writes a timestamp word after the sample it belongs to (the opposite of what
 * the driver assumes), every time is one period early but still evenly spaced. */
static void ism330bx_timestamp_word_after_its_data_only_shifts_times(void **state)
{
    (void)state;
    gs_ism330bx_options_t o = opts(64, 16, 8);
    rig_init(&o);
    R.m.ts_after_data = true;
    configure(3840, 2000);
    start();
    uint64_t count = 0;
    while (count < 2000) {
        wait_level(64);
        size_t n = 0;
        assert_int_equal(R.s.ops->read(R.s.ctx, R.buf, 64, &n), GS_OK);
        for (size_t i = 0; i < n; i++, count++) {
            const uint64_t g = R.m.run_first_index + count;
            assert_true(values_are(&R.buf[i], g));
            const double err = (double)R.buf[i].timestamp_us * 1000.0 - (double)ism_model_gyro_time_ns(&R.m, g) +
                               PERIOD_3840_NS;
            assert_true(fabs(err) <= TIME_TOLERANCE_NS);
        }
    }
    assert_int_equal(stats().ts_jumps, 0);
    assert_int_equal(stats().lost_samples, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ism330bx_init_resets_and_enables_bdu_ifinc_and_timestamp),
        cmocka_unit_test(ism330bx_wrong_who_am_i_is_refused_with_the_value),
        cmocka_unit_test(ism330bx_sensor_that_does_not_answer_is_reported),
        cmocka_unit_test(ism330bx_reset_that_never_completes_gives_up_after_50_ms),
        cmocka_unit_test(ism330bx_options_are_checked),
        cmocka_unit_test(ism330bx_odr_snaps_to_the_nearest_rate_and_full_scale_codes),
        cmocka_unit_test(ism330bx_burst_reads_at_3840hz_across_watermarks),
        cmocka_unit_test(ism330bx_burst_reads_with_every_timestamp_decimation),
        cmocka_unit_test(ism330bx_timestamp_decimation_8_keeps_up_on_400khz_i2c_where_1_cannot),
        cmocka_unit_test(ism330bx_fifo_payload_is_z_y_x_and_odd_words_are_skipped),
        cmocka_unit_test(ism330bx_fifo_overflow_is_reported_as_a_gap),
        cmocka_unit_test(ism330bx_odr_change_mid_stream_gives_the_new_spacing),
        cmocka_unit_test(ism330bx_bus_error_mid_read_fails_and_the_next_read_recovers),
        cmocka_unit_test(ism330bx_timestamp_counter_wraps_across_2_pow_32),
        cmocka_unit_test(ism330bx_timestamp_word_after_its_data_only_shifts_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
