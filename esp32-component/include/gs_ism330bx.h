/*
 * ISM330BX gyroscope through its FIFO: the portable core of the driver (no ESP-IDF headers,
 * C11, no allocation). The ESP-IDF glue (src/port/esp32/gs_ism330bx.c) only supplies the bus
 * (I2C or SPI), the INT1 interrupt and a mutex; the host tests drive the same code against a
 * register-level model of the part (test/host/ism330bx_model.c).
 *
 *     static gs_ism330bx_t ism;                       // caller-owned, static
 *     gs_ism330bx_options_t opt = GS_ISM330BX_OPTIONS_DEFAULT();
 *     if (gs_ism330bx_init(&ism, &bus, &opt) != GS_OK) log(gs_ism330bx_last_error(&ism));
 *     gs_sensor_t sensor; gs_ism330bx_sensor(&ism, &sensor);   // configure/start/stop/read
 *
 * Register map, codes and FIFO word format: ST's ism330bx-pid (the ISM330BX datasheet text
 * was not available; see the README section "ISM330BX driver" for what is DS-unverified).
 *
 * Not thread-safe: the caller serialises configure/start/stop/read (the ESP-IDF glue holds a
 * mutex around each).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gs_err.h"
#include "gs_sample.h"
#include "gs_sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Register access. Multi-byte transfers rely on CTRL3.IF_INC auto-increment, which the core
 * enables; a read of n bytes from FIFO_DATA_OUT_TAG (0x78) returns n / 7 FIFO words because
 * the address wraps from 0x7E back to 0x78 (DS-unverified, see the README). The I2C glue does
 * a write-then-read with a repeated start; the SPI glue sends the address with bit 0x80 set for
 * reads. Any return other than GS_OK is a failed transfer (the core reports GS_ERR_SENSOR).
 */
typedef struct {
    gs_err_t (*read)(void *ctx, uint8_t reg, uint8_t *buf, size_t n);
    gs_err_t (*write)(void *ctx, uint8_t reg, const uint8_t *buf, size_t n);
    void (*delay_ms)(void *ctx, uint32_t ms);
    void *ctx;
} gs_ism330bx_bus_t;

/** Largest burst (FIFO words per bus transaction); the scratch buffer is 7 bytes per word. */
#define GS_ISM330BX_MAX_BURST_WORDS 64u
/** Gyro samples held while waiting for a timestamp word (the largest timestamp decimation). */
#define GS_ISM330BX_MAX_PENDING 32u
#define GS_ISM330BX_WHO_AM_I_VALUE 0x71u

typedef struct {
    /** FIFO words (gyro + timestamp) that raise the watermark flag / INT1, 1 .. 255. */
    uint16_t fifo_watermark;
    /** Most FIFO words per bus transaction, 1 .. GS_ISM330BX_MAX_BURST_WORDS; 0 = the maximum. */
    uint16_t burst_words;
    /**
     * One timestamp word per this many gyro samples: 1, 8 or 32 (DEC_TS_BATCH codes 1..3);
     * 0 = 8. 8 is the default: 1 (ST's Linux driver) doubles the bus traffic and halves the
     * FIFO in samples (14 bytes per sample: 3840 Hz would need 54 kB/s, more than a 400 kHz
     * I2C bus carries), while 8 costs 7.9 bytes per sample and still re-anchors the sample
     * times every 2.1 ms at 3840 Hz. Sample times are exact between timestamp words either
     * way (ODR period x samples since the word), so decimation does not cost resolution.
     */
    uint8_t ts_decimation;
    /** Timestamp LSB in ns; 0 = 21750 (ST's ism330bx-pid; its Linux driver uses 21701). */
    uint32_t ts_lsb_ns;
    /** Route the FIFO watermark to INT1 (INT1_CTRL.INT1_FIFO_TH) at start. */
    bool int1_fifo_th;
    /**
     * Optional device clock (µs since boot). When set, sample times are sensor-clock times
     * mapped onto it at every start (offset = clock now - sensor time now, read from
     * TIMESTAMP0..3); between starts the sensor clock alone spaces them, so its drift against
     * the device clock (up to a few 0.1 %, DS-unverified) is not corrected mid-stream. When
     * not set, sample times are sensor-clock µs since gs_ism330bx_init.
     */
    gs_clock_t clock;
} gs_ism330bx_options_t;

#define GS_ISM330BX_OPTIONS_DEFAULT() {                                                  \
        .fifo_watermark = 64, .burst_words = GS_ISM330BX_MAX_BURST_WORDS,               \
        .ts_decimation = 8, .ts_lsb_ns = 21750, .int1_fifo_th = true,                   \
        .clock = {.now_us = NULL, .ctx = NULL} }

/** Counters since gs_ism330bx_init (never reset by start/stop). */
typedef struct {
    uint64_t reads;             /**< read() calls that reached the bus */
    uint64_t bursts;            /**< FIFO burst transactions that succeeded */
    uint64_t words_read;        /**< FIFO words received in successful bursts */
    uint64_t gyro_samples;      /**< samples delivered by read() */
    uint64_t timestamp_words;
    uint64_t overflows;         /**< status reads that found FIFO_OVR_IA / FIFO_OVR_LATCHED set */
    uint64_t lost_samples;      /**< estimated from the timestamp words after a loss (overflow,
                                     failed burst); a loss before the first sample of a run is
                                     not counted (nothing to measure it against) */
    uint64_t skipped_words;     /**< words with other tags (accelerometer, empty, ...) */
    uint64_t cfg_change_words;  /**< CFG_CHANGE words (skipped) */
    uint64_t settling_discarded;/**< gyro words whose first int16 is >= 0x7FFD (filter settling) */
    uint64_t untimed_dropped;   /**< gyro words dropped for lack of a timestamp word (> 32 in a row) */
    uint64_t ts_jumps;          /**< timestamp words more than half a period off the extrapolation */
    uint64_t bus_errors;
} gs_ism330bx_stats_t;

/** Raw FIFO gyro word waiting for a timestamp word (see gs_ism330bx.c, "Sample times"). */
typedef struct {
    int16_t xyz[3];
    uint16_t slot;              /**< gyro slot index since the wait began */
} gs_ism330bx_pending_t;

/** Timestamp tracking; snapshotted at each read() and restored if a transfer fails. */
typedef struct {
    uint64_t ticks;             /**< sensor timestamp ticks since init, extended to 64 bits */
    uint32_t last_tick32;       /**< raw 32-bit counter behind `ticks` */
    bool tracking;              /**< next_q16 is valid (a timestamp word has been seen) */
    bool have_last;             /**< last_q16 holds a sample delivered in this run */
    uint64_t next_q16;          /**< sensor time of the next gyro slot, µs x 2^16 */
    uint64_t last_q16;          /**< sensor time of the last delivered sample, µs x 2^16 */
    uint16_t pending_n;         /**< entries in pending[] */
    uint16_t pending_slots;     /**< gyro slots since the wait began (incl. dropped/settling) */
} gs_ism330bx_track_t;

#ifdef __cplusplus
#define GS_ISM330BX_ALIGN4 alignas(4)
#else
#define GS_ISM330BX_ALIGN4 _Alignas(4)
#endif

/** Driver state: allocate statically; fields are private. */
typedef struct {
    gs_ism330bx_bus_t bus;
    gs_ism330bx_options_t opt;
    bool ready;                 /**< init succeeded */
    bool running;
    uint8_t odr_code;           /**< ODR_G / BDR_GY code of the configured rate */
    uint8_t fs_code;
    float odr_hz;
    uint64_t period_q16;        /**< ODR period, µs x 2^16 */
    uint64_t lsb_q16;           /**< timestamp LSB, µs x 2^16 */
    uint64_t offset_us;         /**< device time - sensor time (mod 2^64) */
    gs_ism330bx_track_t trk;
    gs_ism330bx_pending_t pending[GS_ISM330BX_MAX_PENDING];
    gs_ism330bx_stats_t stats;
    char error[64];
    /** Burst scratch, word-aligned (DMA-friendly if a bus glue ever reads into it directly). */
    GS_ISM330BX_ALIGN4 uint8_t burst[GS_ISM330BX_MAX_BURST_WORDS * 7u];
} gs_ism330bx_t;

/**
 * Probe and reset the part: WHO_AM_I must read 0x71, SW_RESET (CTRL3 bit 0) is polled until it
 * self-clears (1 ms steps, at most 50 ms), then BDU + IF_INC and the timestamp counter
 * (FUNCTIONS_ENABLE.TIMESTAMP_EN) are enabled, gyro off, FIFO in bypass. The configuration is
 * 960 Hz / 250 dps until configure(). GS_ERR_INVALID_ARG for bad options (nothing touched),
 * GS_ERR_SENSOR otherwise, with the reason in gs_ism330bx_last_error().
 */
gs_err_t gs_ism330bx_init(gs_ism330bx_t *dev, const gs_ism330bx_bus_t *bus,
                          const gs_ism330bx_options_t *opt);

/** Binds the gs_sensor_ops_t (model "ISM330BX") to dev. */
void gs_ism330bx_sensor(gs_ism330bx_t *dev, gs_sensor_t *out);

/** Why the last init failed (e.g. "WHO_AM_I 0x6C, expected 0x71"); "" when it did not. */
const char *gs_ism330bx_last_error(const gs_ism330bx_t *dev);

void gs_ism330bx_get_stats(const gs_ism330bx_t *dev, gs_ism330bx_stats_t *out);

/** The rate configure() would pick for odr_hz (nearest supported, ties to the lower); 0 for
 *  non-finite or non-positive input. *code receives the ODR_G code when code is not NULL. */
float gs_ism330bx_snap_odr(float odr_hz, uint8_t *code);

#ifdef __cplusplus
}
#endif
