package io.gyrosentinel;

/**
 * Device health counters.
 *
 * @param droppedSamples   samples the device lost (ring buffer overflow) since boot
 * @param inferenceMicrosP50 median model time per window, µs
 * @param badFrames        frames the device discarded (bad CRC, bad COBS, oversize, undecodable)
 */
public record Telemetry(long uptimeMillis, long freeHeap, long minFreeHeap, long droppedSamples,
                        int inferenceMicrosP50, int inferenceMicrosMax, int queueDepth, int queueCapacity,
                        long batchesSent, long badFrames, float cpuLoad) {
}
