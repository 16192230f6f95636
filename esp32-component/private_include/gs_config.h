/*
 * Build-time sizes. Under ESP-IDF they come from Kconfig: CMakeLists.txt forwards the
 * CONFIG_GS_* values as GS_* compile definitions, so the portable core never includes
 * sdkconfig.h or any other ESP-IDF header. The defaults below serve the host build.
 */
#pragma once

#ifndef GS_MAX_FRAME_DECODERS
#define GS_MAX_FRAME_DECODERS 8
#endif

#ifndef GS_MAX_RINGS
#define GS_MAX_RINGS 4
#endif

/* Upper bound of any ring's capacity (samples); a ring's actual capacity is set at create. */
#ifndef GS_RING_MAX_CAPACITY
#define GS_RING_MAX_CAPACITY 2048
#endif

#ifndef GS_MAX_BATCHERS
#define GS_MAX_BATCHERS 4
#endif

#ifndef GS_MAX_DEVICES
#define GS_MAX_DEVICES 2
#endif
