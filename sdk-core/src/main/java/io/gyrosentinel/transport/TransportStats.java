package io.gyrosentinel.transport;

/**
 * Counters of a link.
 *
 * @param framesIn   frames (envelopes) received
 * @param framesOut  frames sent
 * @param bytesIn    bytes received, framing included
 * @param bytesOut   bytes sent, framing included
 * @param badFrames  frames dropped because of a bad CRC, bad COBS, oversize or truncation
 * @param reconnects successful reconnects since start
 */
public record TransportStats(long framesIn, long framesOut, long bytesIn, long bytesOut, long badFrames,
                             long reconnects) {
    /** All counters zero, for transports that keep none. */
    public static final TransportStats EMPTY = new TransportStats(0, 0, 0, 0, 0, 0);
}
