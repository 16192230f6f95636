/*
 * Build-time sizes. Under ESP-IDF they come from Kconfig: CMakeLists.txt forwards the
 * CONFIG_GS_* values as GS_* compile definitions, so the portable core never includes
 * sdkconfig.h or any other ESP-IDF header.
 *
 * The defaults below are what the firmware gets with the Kconfig defaults (and the fixed
 * GS_MAX_RINGS=1 GS_MAX_BATCHERS=1 GS_MAX_DEVICES=1 of CMakeLists.txt), so the host build's
 * static RAM (scripts/bench-c.sh) is the device's. A host program that needs more pools
 * defines them on its compiler command line.
 */
#pragma once

/* Kconfig GS_MAX_FRAME_DECODERS (default 2): one per byte-stream transport, ~2.1 KB each. */
#ifndef GS_MAX_FRAME_DECODERS
#define GS_MAX_FRAME_DECODERS 2
#endif

#ifndef GS_MAX_RINGS
#define GS_MAX_RINGS 1
#endif

/* Upper bound of any ring's capacity (samples, 16 bytes each); a ring's actual capacity is
 * set at create. Kconfig GS_RING_CAPACITY (default 2048). */
#ifndef GS_RING_MAX_CAPACITY
#define GS_RING_MAX_CAPACITY 2048
#endif

#ifndef GS_MAX_BATCHERS
#define GS_MAX_BATCHERS 1
#endif

#ifndef GS_MAX_DEVICES
#define GS_MAX_DEVICES 1
#endif

/* TensorFlow Lite Micro tensor arena, bytes. Kconfig GS_TFLM_ARENA_KB (default 64). The host build of
 * the TFLM backend uses Kconfig's largest (448 KiB) to measure what a model needs; the packager and the
 * conformance test check that against the device's arena. */
#ifndef GS_TFLM_ARENA_BYTES
#define GS_TFLM_ARENA_BYTES (64u * 1024u)
#endif
