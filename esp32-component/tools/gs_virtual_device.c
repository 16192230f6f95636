/*
 * gs_virtual_device: the portable device core plus a simulated gyro, speaking the
 * GyroSentinel protocol over stdin/stdout or a terminal path (e.g. a pseudo-terminal slave),
 * so host software and the Java integration tests can run without hardware.
 *
 *   gs_virtual_device [--tty PATH] [--fast] [--seed N] [--session N] [--device-id ID] [--odr HZ]
 *                     [--rotation-hz HZ] [--fault-after-ms MS] [--fault-gain G]
 *                     [--model-dir DIR [--public-key FILE]] [--verbose]
 *
 * Real time by default: samples are produced at the configured ODR against the monotonic
 * clock. --fast lets the simulated clock jump ahead instead of sleeping, so data arrives as
 * fast as the reader takes it (timestamps still advance by exactly one period per sample).
 * --model-dir enables model transfer into DIR/slot0.bin, slot1.bin, meta.bin (256 KiB
 * slots); with --public-key (P-256 SubjectPublicKeyInfo, DER or PEM) models must be signed.
 * The active model runs on the stream with the float reference backend (bundle part
 * "reference.f32"): InferenceResult / AnomalyEvent as on the ESP32 with TFLite Micro.
 * Exits 0 when the input reaches end of file or the peer hangs up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "gs_device.h"
#include "gs_sim_sensor.h"

#define GS_VDEV_SLOT_SIZE (256u * 1024u)

typedef struct {
    uint64_t offset_us; /* how far --fast has pushed the simulated clock ahead */
} vclock_t;

static int s_verbose;

static void logf_(const char *fmt, ...)
{
    if (!s_verbose) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("gs_virtual_device: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t s_boot_us;

static uint64_t vclock_now(void *ctx)
{
    return mono_us() - s_boot_us + ((vclock_t *)ctx)->offset_us;
}

typedef struct {
    int fd;
    int broken;
} out_t;

static gs_err_t write_all(void *ctx, const uint8_t *frame, size_t len)
{
    out_t *o = ctx;
    while (len > 0 && !o->broken) {
        ssize_t n = write(o->fd, frame, len);
        if (n > 0) {
            frame += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = o->fd, .events = POLLOUT};
            (void)poll(&p, 1, 100);
        } else {
            logf_("write failed: %s", strerror(errno));
            o->broken = 1;
        }
    }
    return o->broken ? GS_ERR_IO : GS_OK;
}

static void usage(FILE *f)
{
    fputs("usage: gs_virtual_device [--tty PATH] [--fast] [--seed N] [--session N] [--device-id ID]\n"
          "                         [--odr HZ] [--rotation-hz HZ] [--fault-after-ms MS]\n"
          "                         [--fault-gain G] [--model-dir DIR [--public-key FILE]]\n"
          "                         [--verbose]\n"
          "Speaks the GyroSentinel protocol (COBS + CRC-32 frames) on stdin/stdout or PATH.\n",
          f);
}

static int make_raw(int fd)
{
    if (!isatty(fd)) {
        return 0;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        return -1;
    }
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

int main(int argc, char **argv)
{
    const char *tty = NULL;
    const char *model_dir = NULL;
    const char *key_file = NULL;
    int fast = 0;
    gs_sim_sensor_config_t sim = GS_SIM_SENSOR_CONFIG_DEFAULT();
    gs_device_config_t dc = GS_DEVICE_CONFIG_DEFAULT();
    dc.device_id = "virtual-0001";
    dc.chip = "virtual";
    dc.firmware_version = "0.1.0-virtual";
    dc.ring_capacity = 2048;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--fast")) {
            fast = 1;
        } else if (!strcmp(a, "--verbose")) {
            s_verbose = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (v && !strcmp(a, "--tty")) {
            tty = v, i++;
        } else if (v && !strcmp(a, "--model-dir")) {
            model_dir = v, i++;
        } else if (v && !strcmp(a, "--public-key")) {
            key_file = v, i++;
        } else if (v && !strcmp(a, "--seed")) {
            sim.seed = strtoull(v, NULL, 0), i++;
        } else if (v && !strcmp(a, "--session")) {
            sim.session = strtoull(v, NULL, 0), i++;
        } else if (v && !strcmp(a, "--device-id")) {
            dc.device_id = v, i++;
        } else if (v && !strcmp(a, "--odr")) {
            dc.odr_hz = strtof(v, NULL), i++;
        } else if (v && !strcmp(a, "--rotation-hz")) {
            sim.rotation_hz = strtof(v, NULL), i++;
        } else if (v && !strcmp(a, "--fault-after-ms")) {
            sim.fault_after_us = strtoull(v, NULL, 0) * 1000u, i++;
        } else if (v && !strcmp(a, "--fault-gain")) {
            sim.fault_gain = strtof(v, NULL), i++;
        } else {
            fprintf(stderr, "gs_virtual_device: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }

    signal(SIGPIPE, SIG_IGN); /* a vanished reader shows up as EPIPE from write() */
    int in_fd = STDIN_FILENO;
    out_t out = {.fd = STDOUT_FILENO};
    if (tty) {
        int fd = open(tty, O_RDWR | O_NOCTTY);
        if (fd < 0) {
            fprintf(stderr, "gs_virtual_device: cannot open %s: %s\n", tty, strerror(errno));
            return 1;
        }
        if (make_raw(fd) != 0) {
            fprintf(stderr, "gs_virtual_device: cannot set raw mode on %s: %s\n", tty,
                    strerror(errno));
            return 1;
        }
        in_fd = fd;
        out.fd = fd;
    }

    s_boot_us = mono_us() - 1000000u; /* device "booted" a second ago: timestamps never 0 */
    vclock_t vc = {0};
    sim.clock.now_us = vclock_now;
    sim.clock.ctx = &vc;
    gs_sensor_t sensor;
    gs_err_t err = gs_sim_sensor_create(&sim, &sensor);
    if (err != GS_OK) {
        fprintf(stderr, "gs_virtual_device: simulated sensor: %s\n", gs_err_to_name(err));
        return 1;
    }
    static uint8_t key[4096];
    size_t key_len = 0;
    if (key_file) {
        FILE *kf = fopen(key_file, "rb");
        if (!kf) {
            fprintf(stderr, "gs_virtual_device: cannot read %s: %s\n", key_file, strerror(errno));
            return 1;
        }
        key_len = fread(key, 1, sizeof(key) - 1, kf);
        fclose(kf);
        if (key_len > 0 && key[0] == '-') {
            key[key_len++] = '\0'; /* mbedTLS wants PEM NUL-terminated, length included */
        }
    }
    gs_storage_t storage = {0};
    gs_model_store_handle_t store = NULL;
    gs_model_runtime_handle_t runtime = NULL;
    static uint8_t payload[GS_VDEV_SLOT_SIZE];
    if (model_dir) {
        gs_model_store_config_t msc = {.public_key = key_file ? key : NULL,
                                       .public_key_len = key_len,
                                       .require_signature = key_file != NULL};
        if ((err = gs_storage_file_create(model_dir, GS_VDEV_SLOT_SIZE, &storage)) != GS_OK ||
            (msc.storage = storage, err = gs_model_store_create(&msc, &store)) != GS_OK) {
            fprintf(stderr, "gs_virtual_device: model store in %s: %s\n", model_dir,
                    gs_err_to_name(err));
            return 1;
        }
        gs_model_runtime_config_t rc = GS_MODEL_RUNTIME_CONFIG_DEFAULT();
        rc.store = store;
        rc.payload_buf = payload;
        rc.payload_cap = sizeof(payload);
        rc.clock.now_us = vclock_now;
        rc.clock.ctx = &vc;
        if ((err = gs_model_reference_backend(&rc.backend)) != GS_OK ||
            (err = gs_model_runtime_create(&rc, &runtime)) != GS_OK) {
            fprintf(stderr, "gs_virtual_device: model runtime: %s\n", gs_err_to_name(err));
            return 1;
        }
    } else if (key_file) {
        fprintf(stderr, "gs_virtual_device: --public-key needs --model-dir\n");
        return 2;
    }
    dc.model_store = store;
    dc.model_runtime = runtime;
    dc.sensor = sensor;
    dc.clock.now_us = vclock_now;
    dc.clock.ctx = &vc;
    dc.write = write_all;
    dc.write_ctx = &out;
    gs_device_handle_t dev;
    err = gs_device_create(&dc, &dev);
    if (err != GS_OK) {
        fprintf(stderr, "gs_virtual_device: device: %s (check --odr)\n", gs_err_to_name(err));
        return 1;
    }
    logf_("ready (%s, %s)", tty ? tty : "stdio", fast ? "fast" : "real time");

    static uint8_t buf[4096];
    int rc = 0;
    while (!out.broken) {
        int streaming = gs_device_is_streaming(dev);
        /* While streaming, wake every 2 ms to move samples (or not at all in --fast). */
        int timeout = streaming ? (fast ? 0 : 2) : 200;
        struct pollfd p = {.fd = in_fd, .events = POLLIN};
        int pr = poll(&p, 1, timeout);
        if (pr < 0 && errno != EINTR) {
            rc = 1;
            break;
        }
        if (pr > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(in_fd, buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno == EIO)) {
                logf_("input closed");
                break;
            }
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                rc = 1;
                break;
            }
            if (n > 0) {
                gs_device_receive(dev, buf, (size_t)n);
            }
        }
        if (fast && gs_device_is_streaming(dev)) {
            vc.offset_us += 2000; /* 2 ms of simulated time per turn instead of sleeping */
        }
        gs_device_sensor_step(dev);
        gs_device_comms_step(dev);
    }
    gs_device_stats_t st;
    gs_device_get_stats(dev, &st);
    logf_("exit: %llu batches, %llu requests, %llu bad frames",
          (unsigned long long)st.batches_sent, (unsigned long long)st.requests,
          (unsigned long long)st.bad_frames);
    gs_device_destroy(dev);
    gs_sim_sensor_destroy(&sensor);
    gs_model_runtime_destroy(runtime);
    gs_model_store_destroy(store);
    gs_storage_file_destroy(&storage);
    return rc;
}
