/*
 * libFuzzer target: arbitrary bytes into the frame decoder and on into a full device
 * (envelope decoding, request dispatch, replies). Nothing may crash, hang or trip
 * ASan/UBSan, and the decoder's byte counter must match what was fed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "gs_device.h"
#include "gs_fuzz_sensor.h"
#include "gs_envelope.h"

static uint64_t s_written;
static gs_err_t fz_write(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    if (len == 0 || frame[len - 1] != 0) {
        abort(); /* every frame the device writes must end with the delimiter */
    }
    s_written += len;
    return GS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gs_frame_decoder_handle_t dec;
    static gs_device_handle_t dev;
    if (!dec) {
        if (gs_frame_decoder_create(NULL, &dec) != GS_OK) {
            abort();
        }
        gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
        cfg.sensor.ops = &gs_fuzz_sensor_ops;
        cfg.clock.now_us = gs_fuzz_now;
        cfg.write = fz_write;
        cfg.ring_capacity = 256;
        if (gs_device_create(&cfg, &dev) != GS_OK) {
            abort();
        }
    }
    gs_frame_stats_t before, after;
    gs_frame_decoder_get_stats(dec, &before);
    gs_frame_decoder_reset(dec);
    gs_frame_decoder_feed(dec, data, size, NULL, NULL);
    gs_frame_decoder_get_stats(dec, &after);
    if (after.bytes - before.bytes != size) {
        abort();
    }
    /* Also as a device would see it: requests are decoded and answered. */
    gs_device_receive(dev, data, size);
    gs_device_sensor_step(dev);
    gs_device_comms_step(dev);
    /* And raw, as a message transport (MQTT) would deliver it. */
    gs_device_handle_envelope(dev, data, size);
    return 0;
}
