package io.gyrosentinel;

/**
 * What went wrong. The first group mirrors the wire protocol's {@code ErrorCode} (an error the
 * device reported); the second group is raised on the host side.
 */
public enum ErrorCode {
    // --- reported by the device (docs/protocol.md, "Error codes") ---
    UNKNOWN_MESSAGE(1),
    MALFORMED(2),
    PROTOCOL_VERSION(3),
    INVALID_ARGUMENT(4),
    BUSY(5),
    UNSUPPORTED(6),
    FRAME_TOO_LARGE(7),
    NOT_STREAMING(8),
    MODEL_CRC_MISMATCH(9),
    MODEL_OFFSET_MISMATCH(10),
    MODEL_HASH_MISMATCH(11),
    MODEL_SIGNATURE_INVALID(12),
    MODEL_TOO_LARGE(13),
    MODEL_LOAD_FAILED(14),
    NO_MODEL(15),
    STORAGE(16),
    SENSOR(17),
    INTERNAL(18),
    /**
     * The bundle's manifest {@code "version"} is lower than the highest version the device has accepted
     * (anti-rollback); package a newer version, or sign one with {@code "downgrade": true} to go back on purpose.
     */
    MODEL_VERSION_REJECTED(19),
    /** The device sent an error code this SDK does not know (a newer firmware). */
    DEVICE_UNKNOWN(-1),

    // --- raised by the host ---
    /** No response within the request timeout. */
    TIMEOUT(-2),
    /** The link to the device is down or was closed. */
    CONNECTION_CLOSED(-3),
    /** The transport failed (port missing, broker refused, I/O error). */
    TRANSPORT(-4),
    /** No transport is installed for the URI's scheme. */
    UNKNOWN_SCHEME(-5),
    /** A URI or option is invalid. */
    BAD_URI(-6),
    /** A recording file is damaged, truncated or of an unknown format. */
    BAD_RECORDING(-7),
    /** Input data (CSV, samples, arguments) is invalid. */
    BAD_INPUT(-8),
    /** The device answered something the protocol does not allow here. */
    PROTOCOL_VIOLATION(-9),
    /** An I/O error on a local file. */
    IO(-10),
    /** The operation was cancelled. */
    CANCELLED(-11);

    private final int wireCode;

    ErrorCode(int wireCode) {
        this.wireCode = wireCode;
    }

    /** The protocol's numeric code, or a negative number for host-side codes. */
    public int wireCode() {
        return wireCode;
    }

    /** True for errors the device reported. */
    public boolean isDeviceError() {
        return wireCode > 0 || this == DEVICE_UNKNOWN;
    }

    /** Maps a protocol error code to the enum; unknown codes map to {@link #DEVICE_UNKNOWN}. */
    public static ErrorCode fromWire(int code) {
        for (ErrorCode c : values()) {
            if (c.wireCode == code && code > 0) {
                return c;
            }
        }
        return DEVICE_UNKNOWN;
    }
}
