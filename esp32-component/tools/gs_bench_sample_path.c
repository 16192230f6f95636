/*
 * Sample-path benchmark for callgrind (scripts/bench-c.sh): N samples go through exactly what
 * the firmware does per sample, excluding inference — sensor task pushes into the SPSC ring,
 * comms task pops, batches, encodes the SampleBatch envelope and frames it (COBS + CRC-32).
 * Instructions per sample = (Ir(N2) - Ir(N1)) / (N2 - N1), so start-up cost cancels out.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gs_batcher.h"
#include "gs_envelope.h"
#include "gs_ring.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    uint32_t batch = argc > 2 ? (uint32_t)atol(argv[2]) : 64;
    gs_ring_handle_t ring;
    gs_batcher_handle_t b;
    gs_ring_config_t rc = {.capacity = 1024};
    gs_batcher_config_t bc = {.batch_size = batch, .axes_mask = 7, .input_period_ns = 260417, .decimation = 1};
    if (gs_ring_create(&rc, &ring) != GS_OK || gs_batcher_create(&bc, &b) != GS_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    static gs_envelope_t env;
    static uint8_t frame[GS_ENVELOPE_FRAME_BUF];
    gs_sample_t in[64];
    gs_sample_t out[64];
    unsigned long long bytes = 0;
    long frames = 0;
    uint64_t t = 5000000;
    for (long done = 0; done < n;) {
        int k = (int)(n - done < 64 ? n - done : 64);
        for (int i = 0; i < k; i++) { /* the sensor task: FIFO words -> ring */
            in[i].timestamp_us = t;
            t += 260;
            in[i].xyz[0] = (int16_t)(done + i);
            in[i].xyz[1] = (int16_t)(3 * (done + i));
            in[i].xyz[2] = (int16_t)-(done + i);
            gs_ring_push(ring, &in[i]);
        }
        size_t got = gs_ring_pop(ring, out, 64); /* the comms task */
        for (size_t i = 0; i < got; i++) {
            bool produced = false;
            gs_batcher_add(b, &out[i], &env, &produced);
            if (produced) {
                size_t len = 0;
                if (gs_envelope_encode_frame(&env, frame, sizeof frame, &len) == GS_OK) {
                    bytes += len;
                    frames++;
                }
            }
        }
        done += k;
    }
    printf("%ld samples, %ld frames, %llu bytes (%.2f B/sample)\n", n, frames, bytes, (double)bytes / (double)n);
    gs_batcher_destroy(b);
    gs_ring_destroy(ring);
    return 0;
}
