/*
 * ISM330BX FIFO-path benchmark for callgrind (scripts/bench-c.sh): the driver core
 * (src/gs_ism330bx.c) drains the register model (test/host/ism330bx_model.c) at 3840 Hz,
 * a FIFO burst of `burst` words per read, timestamp word every 8 samples, the watermark at
 * `burst` words, read the way gs_device_sensor_step reads (64 samples per call).
 *
 *     gs_bench_ism330bx N BURST     -> N samples; prints counts and the driver's stats
 *
 * Instructions per sample = (Ir(N2) - Ir(N1)) / (N2 - N1). The model's cost (its bus emulation
 * and the clock advancing) is in the total; the bench script separates the driver's own with
 * callgrind's inclusive costs of gs_ism330bx_op_read minus ism_model_bus_read.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gs_ism330bx.h"
#include "ism330bx_model.h"

static ism_model_t s_model;
static gs_ism330bx_t s_dev;

int main(int argc, char **argv)
{
    const long n = argc > 1 ? atol(argv[1]) : 100000;
    const long burst = argc > 2 ? atol(argv[2]) : 64;
    if (n <= 0 || burst < 1 || burst > (long)GS_ISM330BX_MAX_BURST_WORDS) {
        fprintf(stderr, "usage: gs_bench_ism330bx SAMPLES BURST_WORDS(1..%u)\n", GS_ISM330BX_MAX_BURST_WORDS);
        return 2;
    }
    ism_model_init(&s_model);
    gs_ism330bx_bus_t bus = ism_model_bus(&s_model);
    gs_ism330bx_options_t opt = GS_ISM330BX_OPTIONS_DEFAULT();
    opt.fifo_watermark = (uint16_t)burst;
    opt.burst_words = (uint16_t)burst;
    opt.ts_decimation = 8;
    opt.clock = ism_model_clock(&s_model);
    gs_sensor_t s;
    gs_sensor_settings_t st = {.odr_hz = 3840.0f, .full_scale_dps = 2000};
    float actual = 0;
    if (gs_ism330bx_init(&s_dev, &bus, &opt) != GS_OK) {
        fprintf(stderr, "init: %s\n", gs_ism330bx_last_error(&s_dev));
        return 1;
    }
    gs_ism330bx_sensor(&s_dev, &s);
    if (s.ops->configure(s.ctx, &st, &actual) != GS_OK || s.ops->start(s.ctx) != GS_OK) {
        fprintf(stderr, "configure/start failed\n");
        return 1;
    }
    static gs_sample_t out[64];
    const uint64_t step = ism_model_period_ns(&s_model);
    long done = 0;
    int64_t checksum = 0;
    while (done < n) {
        while (ism_model_fifo_level(&s_model) < (uint16_t)burst) { /* the watermark interrupt */
            ism_model_advance_ns(&s_model, step);
        }
        size_t got;
        do {
            got = 0;
            if (s.ops->read(s.ctx, out, 64, &got) != GS_OK) {
                fprintf(stderr, "read failed\n");
                return 1;
            }
            for (size_t i = 0; i < got; i++) {
                checksum += out[i].xyz[0] + (int64_t)(out[i].timestamp_us & 0xFF);
            }
            done += (long)got;
        } while (got == 64);
    }
    gs_ism330bx_stats_t stats;
    gs_ism330bx_get_stats(&s_dev, &stats);
    printf("%ld samples, burst %ld words: %llu bursts, %llu words, %llu timestamp words, %llu lost, "
           "%llu bus bytes read (checksum %lld)\n",
           done, burst, (unsigned long long)stats.bursts, (unsigned long long)stats.words_read,
           (unsigned long long)stats.timestamp_words, (unsigned long long)stats.lost_samples,
           (unsigned long long)s_model.bytes_read, (long long)checksum);
    return stats.lost_samples == 0 ? 0 : 1;
}
