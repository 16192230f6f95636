package io.gyrosentinel.client;

/**
 * Counters of a client, since it was built.
 *
 * @param framesIn         frames received from the device
 * @param framesOut        frames sent to the device
 * @param badFrames        frames dropped by the framing layer (CRC, COBS, size)
 * @param undecodable      frames with a valid CRC whose envelope could not be parsed
 * @param unknownMessages  envelopes with a body this SDK does not know (newer firmware)
 * @param versionMismatch  envelopes carrying another protocol version than negotiated
 * @param lateResponses    responses that arrived after their request timed out
 * @param reconnects       times the link came back after it dropped
 */
public record ClientStats(long framesIn, long framesOut, long badFrames, long undecodable, long unknownMessages,
                          long versionMismatch, long lateResponses, long reconnects) {
}
