/*
 * One 3-axis gyroscope sample as it travels from the sensor task to the comms task.
 */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /** Sensor-clock time of the sample, µs since device boot. */
    uint64_t timestamp_us;
    /** Raw sensor values (LSB), X, Y, Z. */
    int16_t xyz[3];
} gs_sample_t;

#ifdef __cplusplus
}
#endif
