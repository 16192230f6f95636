package io.gyrosentinel;

/**
 * Device health counters.
 *
 * @param uptimeMillis       time since the device booted, ms
 * @param freeHeap           free heap now, bytes (0 when the device does not report it)
 * @param minFreeHeap        lowest free heap since boot, bytes
 * @param droppedSamples     samples the device lost (ring buffer overflow) since boot
 * @param inferenceMicrosP50 median model time per window, µs
 * @param inferenceMicrosMax longest model time per window, µs
 * @param queueDepth         entries waiting in the device's queue (the sample ring on the firmware, windows waiting
 *                           for the model on the virtual device)
 * @param queueCapacity      capacity of that queue
 * @param batchesSent        sample batches sent since boot
 * @param badFrames          frames the device discarded (bad CRC, bad COBS, oversize, undecodable)
 * @param cpuLoad            CPU load as a fraction, 0 .. 1 (0 when the device does not report it)
 */
public record Telemetry(long uptimeMillis, long freeHeap, long minFreeHeap, long droppedSamples,
                        int inferenceMicrosP50, int inferenceMicrosMax, int queueDepth, int queueCapacity,
                        long batchesSent, long badFrames, float cpuLoad) {
}
