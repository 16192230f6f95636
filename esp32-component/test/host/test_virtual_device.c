/*
 * Smoke tests of the gs_virtual_device executable, driven the way the Java SDK drives it:
 * golden Hello + Configure frames and a StartStreaming frame go in over a pipe (or a
 * pseudo-terminal), and the framed replies coming out are checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "gs_envelope.h"
#include "gs_frame.h"
#include "gs_test_util.h"

typedef struct {
    pid_t pid;
    int to_dev;     /* we write requests here */
    int from_dev;   /* and read replies here */
    gs_frame_decoder_handle_t dec;
} vdev_t;

static void spawn(vdev_t *v, const char *const *extra_args)
{
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    const char *argv[16] = {GS_VIRTUAL_DEVICE_PATH};
    int argc = 1;
    for (int i = 0; extra_args && extra_args[i]; i++) {
        argv[argc++] = extra_args[i];
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    v->pid = pid;
    v->to_dev = in[1];
    v->from_dev = out[0];
    assert_int_equal(gs_frame_decoder_create(NULL, &v->dec), GS_OK);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Next reply, or fail after timeout_ms. */
static void next_reply(vdev_t *v, gs_envelope_t *env, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        uint8_t b;
        struct pollfd p = {.fd = v->from_dev, .events = POLLIN};
        int left = (int)(deadline - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            fail_msg("no reply from gs_virtual_device within %d ms", timeout_ms);
        }
        ssize_t n = read(v->from_dev, &b, 1);
        if (n != 1) {
            fail_msg("gs_virtual_device closed its output");
        }
        const uint8_t *e;
        size_t len;
        assert_int_equal(gs_frame_decoder_push(v->dec, b, &e, &len), GS_OK);
        if (e) {
            assert_int_equal(gs_envelope_decode(e, len, env), GS_OK);
            return;
        }
    }
}

static void send_file(vdev_t *v, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", GS_TESTDATA_DIR, name);
    size_t len;
    uint8_t *b = gs_test_read_file(path, &len);
    assert_non_null(b);
    assert_int_equal(write(v->to_dev, b, len), (ssize_t)len);
    free(b);
}

static void send_env(int fd, gs_envelope_t *env)
{
    static uint8_t frame[GS_ENVELOPE_FRAME_BUF];
    size_t len;
    env->protocol_version = 1;
    assert_int_equal(gs_envelope_encode_frame(env, frame, sizeof(frame), &len), GS_OK);
    assert_int_equal(write(fd, frame, len), (ssize_t)len);
}

static void finish(vdev_t *v)
{
    close(v->to_dev);
    int status = 0;
    uint64_t deadline = now_ms() + 5000;
    pid_t r;
    while ((r = waitpid(v->pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
        usleep(10000);
    }
    if (r == 0) {
        kill(v->pid, SIGKILL);
        waitpid(v->pid, &status, 0);
        fail_msg("gs_virtual_device did not exit at end of input");
    }
    close(v->from_dev);
    gs_frame_decoder_destroy(v->dec);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Runs hello (golden), configure (golden: 1666 Hz, which the sensor runs at its nearest rate, 1920 Hz; batch 25), start(max_samples) and checks
 * all replies; returns the elapsed wall time of the streaming part in ms. */
static uint64_t handshake_and_stream(vdev_t *v, int write_fd, uint64_t max_samples)
{
    static gs_envelope_t env;
    (void)write_fd;
    send_file(v, "hello.frame.bin");
    next_reply(v, &env, 3000);
    assert_int_equal(env.request_id, 1);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_device_info_tag);
    assert_string_equal(env.body.device_info.chip, "virtual");
    assert_int_equal(env.body.device_info.protocol_version, 1);

    send_file(v, "configure.frame.bin");
    next_reply(v, &env, 3000);
    assert_int_equal(env.request_id, 2);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_ack_tag);

    memset(&env, 0, sizeof(env));
    env.request_id = 3;
    env.which_body = gyrosentinel_v1_Envelope_start_streaming_tag;
    env.body.start_streaming.max_samples = max_samples;
    uint64_t t0 = now_ms();
    send_env(v->to_dev, &env);
    next_reply(v, &env, 3000);
    assert_int_equal(env.request_id, 3);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_stream_status_tag);
    assert_true(env.body.stream_status.streaming);

    uint64_t total = 0;
    uint32_t seq = 0;
    uint64_t first_ts = 0, last_ts = 0;
    for (;;) {
        next_reply(v, &env, 5000);
        if (env.which_body == gyrosentinel_v1_Envelope_stream_status_tag) {
            assert_int_equal(env.request_id, 0);
            assert_false(env.body.stream_status.streaming);
            assert_int_equal(env.body.stream_status.dropped_samples, 0);
            break;
        }
        assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_sample_batch_tag);
        const gyrosentinel_v1_SampleBatch *b = &env.body.sample_batch;
        assert_int_equal(b->sequence, seq++);
        assert_int_equal(b->sample_period_ns, 520833); /* 1666 Hz asked, 1920 Hz run */
        assert_int_equal(b->data.size, b->count * 6);
        if (total == 0) {
            first_ts = b->timestamp_us;
        } else {
            /* Consecutive batches: each starts one period after the previous one ends. */
            assert_true(b->timestamp_us > last_ts);
        }
        last_ts = b->timestamp_us;
        total += b->count;
    }
    assert_int_equal(total, max_samples);
    assert_int_equal(seq, (max_samples + 24) / 25);
    /* The samples span max_samples periods of device time. */
    uint64_t span = last_ts - first_ts;
    uint64_t expect = (uint64_t)(((max_samples - 1) / 25 * 25) * 1e6 / 1920.0);
    assert_true(span + 2 >= expect && span <= expect + 2);
    return now_ms() - t0;
}

static void pipe_session_streams_in_real_time(void **state)
{
    (void)state;
    vdev_t v;
    spawn(&v, NULL);
    /* 1000 samples at 1920 Hz take 0.52 s of real time. */
    uint64_t ms = handshake_and_stream(&v, v.to_dev, 1000);
    assert_true(ms >= 400);
    assert_true(ms < 5000);
    finish(&v);
}

static void fast_mode_streams_faster_than_real_time(void **state)
{
    (void)state;
    vdev_t v;
    const char *args[] = {"--fast", "--seed", "7", NULL};
    spawn(&v, args);
    /* 20000 samples would take 12 s in real time. */
    uint64_t ms = handshake_and_stream(&v, v.to_dev, 20000);
    assert_true(ms < 6000);
    finish(&v);
}

static void same_seed_gives_same_samples(void **state)
{
    (void)state;
    uint8_t first[2][1536];
    for (int run = 0; run < 2; run++) {
        vdev_t v;
        const char *args[] = {"--fast", "--seed", "42", NULL};
        spawn(&v, args);
        static gs_envelope_t env;
        memset(&env, 0, sizeof(env));
        env.request_id = 1;
        env.which_body = gyrosentinel_v1_Envelope_start_streaming_tag;
        env.body.start_streaming.max_samples = 64;
        send_env(v.to_dev, &env);
        next_reply(&v, &env, 3000);
        next_reply(&v, &env, 3000);
        assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_sample_batch_tag);
        assert_int_equal(env.body.sample_batch.count, 64);
        memcpy(first[run], env.body.sample_batch.data.bytes, 384);
        /* A real signal: not all samples are equal. */
        assert_true(memcmp(first[run], first[run] + 6, 6) != 0);
        next_reply(&v, &env, 3000);
        finish(&v);
    }
    assert_memory_equal(first[0], first[1], 384);
}

static void tty_session_over_a_pseudo_terminal(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    /* The child must not inherit the master, or closing ours would not hang up the slave. */
    assert_int_equal(fcntl(master, F_SETFD, FD_CLOEXEC), 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char slave[128];
    assert_int_equal(ptsname_r(master, slave, sizeof(slave)), 0);

    vdev_t v;
    const char *args[] = {"--tty", slave, "--fast", NULL};
    spawn(&v, args);
    close(v.from_dev);
    close(v.to_dev);
    v.from_dev = master;
    v.to_dev = master;
    /* Ping until the device has opened the slave and set raw mode. */
    static gs_envelope_t env;
    memset(&env, 0, sizeof(env));
    env.request_id = 77;
    env.which_body = gyrosentinel_v1_Envelope_ping_tag;
    env.body.ping.nonce = 12345;
    usleep(200000);
    send_env(master, &env);
    next_reply(&v, &env, 3000);
    assert_int_equal(env.request_id, 77);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_pong_tag);
    assert_int_equal(env.body.pong.nonce, 12345);
    handshake_and_stream(&v, master, 300);
    /* Closing the master hangs up the slave: the device must exit cleanly. */
    int status;
    close(master);
    uint64_t deadline = now_ms() + 5000;
    pid_t r;
    while ((r = waitpid(v.pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
        usleep(10000);
    }
    if (r == 0) {
        kill(v.pid, SIGKILL);
        waitpid(v.pid, &status, 0);
        fail_msg("gs_virtual_device did not exit on hang-up");
    }
    gs_frame_decoder_destroy(v.dec);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void model_dir_enables_model_transfer(void **state)
{
    (void)state;
    char dir[] = "/tmp/gs_vd_models_XXXXXX";
    assert_non_null(mkdtemp(dir));
    vdev_t v;
    const char *args[] = {"--model-dir", dir, NULL};
    spawn(&v, args);
    static gs_envelope_t env;
    memset(&env, 0, sizeof(env));
    env.request_id = 5;
    env.which_body = gyrosentinel_v1_Envelope_get_model_status_tag;
    send_env(v.to_dev, &env);
    next_reply(&v, &env, 3000);
    assert_int_equal(env.request_id, 5);
    assert_int_equal(env.which_body, gyrosentinel_v1_Envelope_model_status_tag);
    assert_int_equal(env.body.model_status.active_slot, -1);
    assert_int_equal(env.body.model_status.slots_count, 2);
    finish(&v);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void bad_arguments_exit_with_status_2(void **state)
{
    (void)state;
    vdev_t v;
    const char *args[] = {"--bogus", NULL};
    spawn(&v, args);
    int status;
    waitpid(v.pid, &status, 0);
    close(v.to_dev);
    close(v.from_dev);
    gs_frame_decoder_destroy(v.dec);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipe_session_streams_in_real_time),
        cmocka_unit_test(fast_mode_streams_faster_than_real_time),
        cmocka_unit_test(same_seed_gives_same_samples),
        cmocka_unit_test(tty_session_over_a_pseudo_terminal),
        cmocka_unit_test(model_dir_enables_model_transfer),
        cmocka_unit_test(bad_arguments_exit_with_status_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
