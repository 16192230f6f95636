/* ISM330BX register-level model: see ism330bx_model.h for what is modelled and assumed. */
#include "ism330bx_model.h"

#include <string.h>

#define R_FIFO_CTRL2 0x08u
#define R_FIFO_CTRL3 0x09u
#define R_FIFO_CTRL4 0x0Au
#define R_WHO_AM_I 0x0Fu
#define R_CTRL2 0x11u
#define R_CTRL3 0x12u
#define R_FIFO_STATUS1 0x1Bu
#define R_FIFO_STATUS2 0x1Cu
#define R_OUTX_L_G 0x22u
#define R_TIMESTAMP0 0x40u
#define R_TIMESTAMP2 0x42u
#define R_TIMESTAMP3 0x43u
#define R_FUNCTIONS_ENABLE 0x50u
#define R_FIFO_TAG 0x78u
#define R_FIFO_LAST 0x7Eu

#define TAG_GYRO 0x01u
#define TAG_TIMESTAMP 0x04u
#define TAG_CFG_CHANGE 0x05u

/* 2 x rate (Hz) of ODR codes 0x2..0xB; 8 x rate for BDR codes (0x1 = 1.875 Hz). */
static uint32_t hz2_of(uint8_t code)
{
    return code >= 0x2u && code <= 0xBu ? 15u << (code - 0x2u) : 0u;
}

static uint32_t hz8_of(uint8_t code)
{
    return code == 0x1u ? 15u : hz2_of(code) * 4u;
}

static uint8_t fifo_mode(const ism_model_t *m)
{
    return m->regs[R_FIFO_CTRL4] & 0x7u;
}

static bool fifo_collecting(const ism_model_t *m)
{
    return fifo_mode(m) == 1u || fifo_mode(m) == 6u;
}

/* ------------------------------------------------------------------ state */

static void fifo_clear(ism_model_t *m)
{
    m->head = 0;
    m->count = 0;
    m->ovr_ia = false;
    m->ovr_latched = false;
}

static void power_on(ism_model_t *m)
{
    memset(m->regs, 0, sizeof m->regs);
    m->regs[R_CTRL3] = 0x04; /* IF_INC is enabled by default ([PID] comment) */
    fifo_clear(m);
    m->bdr_events = 0;
    m->resetting = false;
    m->booting = false;
    m->ts_enabled = false;
    m->ts_origin_count = 0;
    m->ts_origin_ns = m->now_ns;
    m->gyro_code = 0;
}

void ism_model_init(ism_model_t *m)
{
    memset(m, 0, sizeof *m);
    m->who_am_i = 0x71;
    m->depth = 208;
    m->ts_lsb_ns = 21750;
    m->reset_delay_ns = 3000000u;
    power_on(m);
}

uint32_t ism_model_timestamp(const ism_model_t *m)
{
    if (!m->ts_enabled) {
        return m->ts_origin_count;
    }
    return (uint32_t)(m->ts_origin_count + (m->now_ns - m->ts_origin_ns) / m->ts_lsb_ns);
}

void ism_model_set_timestamp(ism_model_t *m, uint32_t count)
{
    m->ts_origin_count = count;
    m->ts_origin_ns = m->now_ns;
}

uint16_t ism_model_fifo_level(const ism_model_t *m)
{
    return m->count;
}

int16_t ism_model_gyro_value(uint64_t g, int axis)
{
    switch (axis) {
    case 0: return (int16_t)(g % 32000u);
    case 1: return (int16_t)(1000 - (int32_t)(g % 20011u));
    default: return (int16_t)(-7 - (int32_t)(g % 16001u));
    }
}

static uint64_t run_sample_ns(const ism_model_t *m, uint64_t k)
{
    return m->run_start_ns + (k + 1u) * 2000000000ull / hz2_of(m->gyro_code);
}

uint64_t ism_model_gyro_time_ns(const ism_model_t *m, uint64_t g)
{
    return run_sample_ns(m, g - m->run_first_index);
}

uint64_t ism_model_period_ns(const ism_model_t *m)
{
    uint32_t hz2 = hz2_of(m->gyro_code);
    return hz2 ? (2000000000ull + hz2 / 2u) / hz2 : 0u;
}

/* ------------------------------------------------------------------ FIFO */

void ism_model_push_word(ism_model_t *m, uint8_t tag, const uint8_t data[6])
{
    if (m->count == m->depth) {
        if (fifo_mode(m) != 6u) {
            m->words_dropped_full++; /* FIFO mode: stops when full */
            return;
        }
        if ((m->fifo[m->head][0] >> 3) == TAG_GYRO) {
            m->gyro_words_overwritten++;
        }
        m->head = (uint16_t)((m->head + 1u) % m->depth);
        m->count--;
        m->words_overwritten++;
        m->ovr_ia = true;
        m->ovr_latched = true;
    }
    uint8_t *w = m->fifo[(m->head + m->count) % m->depth];
    w[0] = (uint8_t)(tag << 3 | (m->bdr_events & 3u) << 1); /* TAG_CNT: not checked by anyone */
    memcpy(&w[1], data, 6);
    m->count++;
    m->words_pushed++;
}

static void push_timestamp(ism_model_t *m)
{
    uint32_t c = ism_model_timestamp(m);
    const uint8_t d[6] = {(uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16), (uint8_t)(c >> 24), 0, 0};
    ism_model_push_word(m, TAG_TIMESTAMP, d);
}

static void produce_sample(ism_model_t *m)
{
    const uint64_t g = m->gyro_index++;
    int16_t x = ism_model_gyro_value(g, 0), y = ism_model_gyro_value(g, 1), z = ism_model_gyro_value(g, 2);
    if (m->settle_left > 0) {
        m->settle_left--;
        x = y = z = 0x7FFE;
    }
    const int16_t xyz[3] = {x, y, z};
    for (int a = 0; a < 3; a++) { /* output registers: X, Y, Z ([PID] OUTX_L_G 0x22) */
        m->regs[R_OUTX_L_G + 2 * a] = (uint8_t)((uint16_t)xyz[a] & 0xFFu);
        m->regs[R_OUTX_L_G + 2 * a + 1] = (uint8_t)((uint16_t)xyz[a] >> 8);
    }
    const uint8_t bdr = m->regs[R_FIFO_CTRL3] >> 4;
    if (!fifo_collecting(m) || bdr == 0) {
        return;
    }
    const uint32_t odr8 = hz2_of(m->gyro_code) * 4u, bdr8 = hz8_of(bdr);
    if (bdr8 == 0 || (bdr8 < odr8 && m->run_k % (odr8 / bdr8) != 0)) {
        return;
    }
    static const uint32_t k_dec[4] = {0, 1, 8, 32};
    const uint32_t dec = k_dec[m->regs[R_FIFO_CTRL4] >> 6];
    const bool ts = dec && m->bdr_events % dec == 0;
    if (ts && !m->ts_after_data) {
        push_timestamp(m);
    }
    /* GY_NC payload: Z, Y, X, each int16 little endian */
    const uint8_t d[6] = {(uint8_t)z, (uint8_t)((uint16_t)z >> 8), (uint8_t)y, (uint8_t)((uint16_t)y >> 8),
                          (uint8_t)x, (uint8_t)((uint16_t)x >> 8)};
    ism_model_push_word(m, TAG_GYRO, d);
    if (ts && m->ts_after_data) {
        push_timestamp(m);
    }
    m->bdr_events++;
}

/* ------------------------------------------------------------------ time */

static void run_until(ism_model_t *m, uint64_t t_end)
{
    for (;;) {
        uint64_t next = m->gyro_code ? run_sample_ns(m, m->run_k) : UINT64_MAX;
        if (m->resetting && m->reset_done_ns <= next && m->reset_done_ns <= t_end) {
            m->now_ns = m->reset_done_ns;
            power_on(m); /* SW_RESET: back to the defaults, bit self-cleared */
            m->resets++;
            continue;
        }
        if (m->booting && m->boot_done_ns <= next && m->boot_done_ns <= t_end) {
            m->now_ns = m->boot_done_ns;
            m->booting = false;
            m->regs[R_CTRL3] &= (uint8_t)~0x80u;
            continue;
        }
        if (next > t_end) {
            break;
        }
        m->now_ns = next;
        produce_sample(m);
        m->run_k++;
    }
    m->now_ns = t_end;
}

void ism_model_advance_ns(ism_model_t *m, uint64_t ns)
{
    run_until(m, m->now_ns + ns);
}

void ism_model_advance_us(ism_model_t *m, uint64_t us)
{
    ism_model_advance_ns(m, us * 1000u);
}

/* ------------------------------------------------------------------ registers */

static uint8_t read_reg(ism_model_t *m, uint8_t a)
{
    const uint16_t level = m->count;
    switch (a) {
    case R_WHO_AM_I:
        return m->who_am_i;
    case R_FIFO_STATUS1:
        return (uint8_t)(level & 0xFFu);
    case R_FIFO_STATUS2: {
        const uint8_t wtm = m->regs[0x07];
        uint8_t v = (uint8_t)((level >> 8) & 1u);
        v |= (wtm && level >= wtm) ? 0x80u : 0u;
        v |= m->ovr_ia ? 0x40u : 0u;
        v |= level == m->depth ? 0x20u : 0u;
        v |= m->ovr_latched ? 0x08u : 0u;
        m->ovr_latched = false; /* latched: cleared by reading */
        return v;
    }
    default:
        break;
    }
    if (a >= R_TIMESTAMP0 && a <= R_TIMESTAMP3) {
        return (uint8_t)(ism_model_timestamp(m) >> (8u * (a - R_TIMESTAMP0)));
    }
    if (a >= R_FIFO_TAG && a <= R_FIFO_LAST) {
        if (m->count == 0) {
            return 0; /* tag 0: FIFO empty */
        }
        const uint8_t v = m->fifo[m->head][a - R_FIFO_TAG];
        if (a == R_FIFO_LAST) { /* the last byte of a word pops it */
            m->head = (uint16_t)((m->head + 1u) % m->depth);
            m->count--;
            m->words_popped++;
            m->ovr_ia = false;
        }
        return v;
    }
    return m->regs[a];
}

static void gyro_odr_written(ism_model_t *m, uint8_t v)
{
    uint8_t code = v & 0x0Fu;
    if (!hz2_of(code)) {
        code = 0; /* off, or a code this part does not have */
    }
    if (code == m->gyro_code) {
        return;
    }
    if (fifo_collecting(m) && (m->regs[R_FIFO_CTRL2] & 0x10u)) { /* ODR_CHG_EN */
        const uint8_t d[6] = {v, 0, 0, 0, 0, 0};
        ism_model_push_word(m, TAG_CFG_CHANGE, d);
    }
    m->gyro_code = code;
    if (code) {
        m->run_start_ns = m->now_ns;
        m->run_k = 0;
        m->run_first_index = m->gyro_index;
        m->settle_left = m->settle_samples;
    }
}

static void write_reg(ism_model_t *m, uint8_t a, uint8_t v)
{
    if (a == R_WHO_AM_I || (a >= 0x1Au && a <= 0x2Du) || a == R_TIMESTAMP0 || a == 0x41u ||
        a == R_TIMESTAMP3 || (a >= R_FIFO_TAG && a <= R_FIFO_LAST)) {
        m->readonly_writes++;
        return;
    }
    const uint8_t old = m->regs[a];
    switch (a) {
    case R_TIMESTAMP2:
        if (v == 0xAAu) {
            ism_model_set_timestamp(m, 0); /* ST's Linux driver's reset; DS-UNVERIFIED */
        }
        return;
    case R_CTRL3:
        m->regs[a] = v;
        if ((v & 0x01u) && !m->resetting) {
            m->resetting = true;
            m->reset_done_ns = m->now_ns + m->reset_delay_ns;
        }
        if ((v & 0x80u) && !m->booting) {
            m->booting = true;
            m->boot_done_ns = m->now_ns + m->reset_delay_ns;
        }
        return;
    case R_CTRL2:
        m->regs[a] = v;
        gyro_odr_written(m, v);
        return;
    case R_FIFO_CTRL4: {
        m->regs[a] = v;
        const uint8_t mode = v & 0x7u, old_mode = old & 0x7u;
        if (mode != 0u && mode != 1u && mode != 6u) {
            m->unmodelled_writes++;
            m->regs[a] = (uint8_t)(v & ~0x7u); /* as bypass */
        }
        if (!fifo_collecting(m)) {
            fifo_clear(m);
        } else if (old_mode != 1u && old_mode != 6u) {
            m->bdr_events = 0;
        }
        return;
    }
    case R_FUNCTIONS_ENABLE: {
        const bool en = (v & 0x40u) != 0;
        if (en != m->ts_enabled) {
            m->ts_origin_count = ism_model_timestamp(m);
            m->ts_origin_ns = m->now_ns;
            m->ts_enabled = en;
        }
        m->regs[a] = v;
        return;
    }
    default:
        m->regs[a] = v;
        return;
    }
}

static uint8_t next_addr(const ism_model_t *m, uint8_t a)
{
    if (!(m->regs[R_CTRL3] & 0x04u)) {
        return a; /* no auto-increment */
    }
    return a == R_FIFO_LAST ? R_FIFO_TAG : (uint8_t)((a + 1u) & 0x7Fu);
}

/* Decides whether this transaction fails; *limit = bytes that take effect. */
static bool transaction_fails(ism_model_t *m, size_t n, size_t *limit)
{
    m->transactions++;
    *limit = n;
    if (m->absent) {
        *limit = 0;
        return true;
    }
    if (m->fail_count > 0) {
        if (m->fail_after > 0) {
            m->fail_after--;
        } else {
            m->fail_count--;
            *limit = m->fail_partial < n ? m->fail_partial : n;
            return true;
        }
    }
    return false;
}

static void bus_time(ism_model_t *m, size_t n)
{
    if (m->bus_ns_per_byte) {
        ism_model_advance_ns(m, m->bus_ns_per_byte * (n + 2u));
    }
}

static gs_err_t ism_model_bus_read(void *ctx, uint8_t reg, uint8_t *buf, size_t n)
{
    ism_model_t *m = ctx;
    size_t limit;
    const bool fails = transaction_fails(m, n, &limit);
    uint8_t a = reg & 0x7Fu;
    for (size_t i = 0; i < limit; i++) {
        buf[i] = read_reg(m, a);
        a = next_addr(m, a);
    }
    m->bytes_read += limit;
    bus_time(m, n);
    if (fails) {
        m->failed_transactions++;
        return GS_ERR_IO;
    }
    return GS_OK;
}

static gs_err_t ism_model_bus_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t n)
{
    ism_model_t *m = ctx;
    size_t limit;
    const bool fails = transaction_fails(m, n, &limit);
    uint8_t a = reg & 0x7Fu;
    for (size_t i = 0; i < limit; i++) {
        write_reg(m, a, buf[i]);
        a = next_addr(m, a);
    }
    m->bytes_written += limit;
    bus_time(m, n);
    if (fails) {
        m->failed_transactions++;
        return GS_ERR_IO;
    }
    return GS_OK;
}

static void ism_model_bus_delay_ms(void *ctx, uint32_t ms)
{
    ism_model_t *m = ctx;
    m->delays_ms += ms;
    ism_model_advance_ns(m, (uint64_t)ms * 1000000u);
}

gs_ism330bx_bus_t ism_model_bus(ism_model_t *m)
{
    gs_ism330bx_bus_t b = {.read = ism_model_bus_read, .write = ism_model_bus_write,
                           .delay_ms = ism_model_bus_delay_ms, .ctx = m};
    return b;
}

static uint64_t ism_model_now_us(void *ctx)
{
    return ((const ism_model_t *)ctx)->now_ns / 1000u;
}

gs_clock_t ism_model_clock(ism_model_t *m)
{
    gs_clock_t c = {.now_us = ism_model_now_us, .ctx = m};
    return c;
}

void ism_model_fail(ism_model_t *m, uint32_t after, uint32_t count, size_t partial)
{
    m->fail_after = after;
    m->fail_count = count;
    m->fail_partial = partial;
}

void ism_model_set_absent(ism_model_t *m, bool absent)
{
    m->absent = absent;
}
