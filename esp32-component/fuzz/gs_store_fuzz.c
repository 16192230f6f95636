/*
 * libFuzzer target: a sequence of envelopes into a device that has a file-backed model store and a model runtime,
 * the way a message transport (MQTT) delivers them: model transfer (begin/chunk/commit/abort/activate/rollback),
 * configure, calibrate, status requests, streaming. An input whose first byte is 0..7 (no envelope starts so: its
 * first tag is field 1 or higher) is a sequence of envelopes, each behind a 2-byte little-endian length; any other
 * input is one envelope. Nothing may crash or trip ASan/UBSan. Seeded with the golden envelopes of proto/testdata.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "gs_device.h"
#include "gs_fuzz_sensor.h"
#include "gs_model_backend.h"
#include "gs_model_runtime.h"
#include "gs_model_store.h"

static gs_err_t fz_write(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    if (len == 0 || frame == NULL) {
        abort();
    }
    return GS_OK;
}

static _Alignas(16) uint8_t s_payload[64 * 1024];
static char s_dir[] = "/tmp/gs_store_fuzz_XXXXXX";

/* the store's files go with the process */
static void remove_store(void)
{
    static const char *const files[] = {"slot0.bin", "slot1.bin", "meta.bin", "meta.bin.tmp"};
    char path[64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", s_dir, files[i]);
        (void)unlink(path);
    }
    (void)rmdir(s_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gs_device_handle_t dev;
    if (!dev) {
        gs_storage_t storage;
        gs_model_store_handle_t store;
        gs_model_runtime_handle_t rt;
        gs_model_store_config_t sc = {0};
        gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
        gs_device_config_t cfg = GS_DEVICE_CONFIG_DEFAULT();
        if (!mkdtemp(s_dir) || gs_storage_file_create(s_dir, sizeof s_payload, &storage) != GS_OK) {
            abort();
        }
        atexit(remove_store);
        sc.storage = storage;
        if (gs_model_store_create(&sc, &store) != GS_OK || gs_model_reference_backend(&rc.backend) != GS_OK) {
            abort();
        }
        rc.store = store;
        rc.payload_buf = s_payload;
        rc.payload_cap = sizeof s_payload;
        if (gs_model_runtime_create(&rc, &rt) != GS_OK) {
            abort();
        }
        cfg.sensor.ops = &gs_fuzz_sensor_ops;
        cfg.clock.now_us = gs_fuzz_now;
        cfg.write = fz_write;
        cfg.ring_capacity = 256;
        cfg.model_store = store;
        cfg.model_runtime = rt;
        if (gs_device_create(&cfg, &dev) != GS_OK) {
            abort();
        }
    }
    if (size == 0 || data[0] >= 8) {
        gs_device_handle_envelope(dev, data, size);
        gs_device_sensor_step(dev);
        gs_device_comms_step(dev);
        return 0;
    }
    size_t off = 1;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;
        off += 2;
        if (len > size - off) {
            len = size - off;
        }
        gs_device_handle_envelope(dev, data + off, len);
        gs_device_sensor_step(dev);
        gs_device_comms_step(dev);
        off += len;
    }
    return 0;
}
