/*
 * A register-level model of the ISM330BX for host tests and benchmarks, written from the
 * register map of ST's drivers (/tmp/research fact sheet; no datasheet text was available).
 * The driver core talks to it through a gs_ism330bx_bus_t, byte by byte as on the wire.
 *
 * Modelled:
 *  - 128-byte register file of the main page; WHO_AM_I (0x0F) = 0x71 unless the test changes
 *    `who_am_i` (a wrong part).
 *  - CTRL3.SW_RESET and .BOOT self-clear `reset_delay_ns` after they are written (default 3 ms;
 *    ST's drivers wait 10 ms); SW_RESET then restores the power-on state: every register 0
 *    except CTRL3 = IF_INC (the reset values are not documented anywhere we could read: this is
 *    an assumption), FIFO empty, gyro off, timestamp counter stopped at 0.
 *  - Multi-byte transfers: with CTRL3.IF_INC the address increments; inside the FIFO output
 *    window it wraps 0x7E -> 0x78 and reading 0x7E pops the word (so one burst from 0x78 reads
 *    consecutive words). DS-UNVERIFIED: inferred from ST's Linux drivers' multi-word bursts.
 *    Without IF_INC the address stays put.
 *  - FIFO of 7-byte tagged words, `depth` words (default 208: ST's Linux driver's cap,
 *    DS-UNVERIFIED). FIFO_MODE 0 bypass (empties it, clears the flags), 1 FIFO (stops when
 *    full), 6 continuous (when full a new word overwrites the oldest and sets FIFO_OVR_IA and
 *    FIFO_OVR_LATCHED). Other modes are treated as bypass and counted in `unmodelled_writes`.
 *  - Flags (our choice, DS-UNVERIFIED): FIFO_OVR_IA clears when a word is popped or in bypass;
 *    FIFO_OVR_LATCHED clears when FIFO_STATUS2 is read or in bypass; FIFO_WTM_IA = level >=
 *    WTM (WTM > 0); FIFO_FULL_IA = level == depth. DIFF_FIFO is 9 bits.
 *  - Gyro at the ODR_G of CTRL2 (codes 0x2..0xB, any OP_MODE): sample k of a run is produced at
 *    run start + (k + 1) / ODR exactly, with the values ism_model_gyro_value(g, axis) of its
 *    global index g, written to OUTX..OUTZ (X, Y, Z) and, when batched, to the FIFO as a GY_NC
 *    word with payload Z, Y, X (the order ST's FIFO readers use; DS-UNVERIFIED).
 *  - BDR_GY gating (0 = not batched; a BDR below the ODR keeps one sample in ODR/BDR).
 *  - Timestamp counter (FUNCTIONS_ENABLE.TIMESTAMP_EN), 32 bits, `ts_lsb_ns` (21750) per LSB,
 *    readable at TIMESTAMP0..3; writing 0xAA to TIMESTAMP2 zeroes it (ST's Linux driver;
 *    DS-UNVERIFIED). A TIMESTAMP word (data[0..3] = counter at the sample, data[4..5] = 0) is
 *    written before the gyro word of every DEC_TS_BATCH-th batched sample (1, 8, 32), counting
 *    from the first batched sample after the FIFO leaves bypass; `ts_after_data` writes it after.
 *  - CFG_CHANGE word when ODR_G changes while FIFO_CTRL2.ODR_CHG_EN is set and the FIFO runs.
 *  - `settle_samples`: that many samples after each gyro start are settling markers (all axes
 *    0x7FFE, which ST's Linux driver drops).
 *  - Faults: transactions failing after N good ones (optionally after `partial` bytes took
 *    effect, e.g. words popped), or no answer at all. Bus time per byte, optional.
 * Not modelled: accelerometer (inject words with ism_model_push_word), embedded functions,
 * interrupts pins (tests poll the level), FIFO compression, BDU latching.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_ism330bx.h"

#define ISM_MODEL_MAX_DEPTH 512u

typedef struct {
    uint8_t regs[128];
    uint8_t who_am_i;
    /* FIFO ring of 7-byte words */
    uint8_t fifo[ISM_MODEL_MAX_DEPTH][7];
    uint16_t depth;            /* words, <= ISM_MODEL_MAX_DEPTH (default 208) */
    uint16_t head, count;
    bool ovr_ia, ovr_latched;
    uint32_t bdr_events;       /* batched gyro samples since the FIFO left bypass */
    /* time */
    uint64_t now_ns;
    uint64_t reset_done_ns, boot_done_ns;
    bool resetting, booting;
    uint64_t reset_delay_ns;   /* SW_RESET / BOOT self-clear delay, default 3 ms */
    /* timestamp counter */
    bool ts_enabled;
    uint64_t ts_origin_ns;
    uint32_t ts_origin_count;
    uint32_t ts_lsb_ns;
    bool ts_after_data;
    /* gyro */
    uint8_t gyro_code;         /* running ODR code, 0 = off */
    uint64_t run_start_ns;
    uint64_t run_k;            /* samples produced in this run */
    uint64_t run_first_index;  /* global index of the run's first sample */
    uint64_t gyro_index;       /* global sample index (next one) */
    uint32_t settle_samples, settle_left;
    /* faults */
    uint32_t fail_after, fail_count;
    size_t fail_partial;
    bool absent;
    uint64_t bus_ns_per_byte;  /* model time taken by each byte (+2 per transaction) */
    /* counters */
    uint64_t transactions, failed_transactions, bytes_read, bytes_written, delays_ms;
    uint64_t resets, words_pushed, words_popped, words_overwritten, gyro_words_overwritten;
    uint64_t words_dropped_full, unmodelled_writes, readonly_writes;
} ism_model_t;

/** Power-on state: WHO_AM_I 0x71, depth 208, 21.75 µs timestamp LSB, no faults. */
void ism_model_init(ism_model_t *m);
/** The bus the driver uses (read, write, delay_ms advance the model clock). */
gs_ism330bx_bus_t ism_model_bus(ism_model_t *m);
/** A gs_clock_t reading the model clock (µs), so sample times compare with true times. */
gs_clock_t ism_model_clock(ism_model_t *m);

void ism_model_advance_ns(ism_model_t *m, uint64_t ns);
void ism_model_advance_us(ism_model_t *m, uint64_t us);

/** Timestamp counter as it reads now; set it (e.g. just below 2^32 to test the wrap). */
uint32_t ism_model_timestamp(const ism_model_t *m);
void ism_model_set_timestamp(ism_model_t *m, uint32_t count);

/** After `after` good transactions, the next `count` fail; `partial` bytes of each failing one
 *  still take effect (reads pop FIFO words, writes land). */
void ism_model_fail(ism_model_t *m, uint32_t after, uint32_t count, size_t partial);
/** No answer at all: every transaction fails with no effect. */
void ism_model_set_absent(ism_model_t *m, bool absent);

/** Appends a word as the FIFO would (overrun rules apply); tag is TAG_SENSOR (5 bits). */
void ism_model_push_word(ism_model_t *m, uint8_t tag, const uint8_t data[6]);
uint16_t ism_model_fifo_level(const ism_model_t *m);

/** The deterministic signal: axis 0 = X, 1 = Y, 2 = Z of global sample index g. Z is always
 *  negative (never a settling marker); the three differ so a swapped axis shows. */
int16_t ism_model_gyro_value(uint64_t g, int axis);
/** True time (ns) of global sample index g, which must belong to the current gyro run. */
uint64_t ism_model_gyro_time_ns(const ism_model_t *m, uint64_t g);
/** Period of the running ODR in ns (rounded); 0 when off. */
uint64_t ism_model_period_ns(const ism_model_t *m);
