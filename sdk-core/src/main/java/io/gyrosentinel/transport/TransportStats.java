package io.gyrosentinel.transport;

/**
 * Counters of a link.
 *
 * @param badFrames frames dropped because of a bad CRC, bad COBS, oversize or truncation
 * @param reconnects successful reconnects since start
 */
public record TransportStats(long framesIn, long framesOut, long bytesIn, long bytesOut, long badFrames,
                             long reconnects) {
    public static final TransportStats EMPTY = new TransportStats(0, 0, 0, 0, 0, 0);
}
