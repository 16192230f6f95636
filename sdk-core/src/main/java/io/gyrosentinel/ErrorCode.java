package io.gyrosentinel;

/**
 * What went wrong. The first group mirrors the wire protocol's {@code ErrorCode} (an error the
 * device reported); the second group is raised on the host side.
 */
public enum ErrorCode {
    // --- reported by the device (docs/protocol.md, "Error codes") ---
    /** The receiver did not know the message's body (e.g. a request a newer SDK sends to an older firmware). */
    UNKNOWN_MESSAGE(1),
    /** The envelope could not be decoded. */
    MALFORMED(2),
    /** No protocol version both sides support, or an envelope of another version than the negotiated one. */
    PROTOCOL_VERSION(3),
    /** A field is out of range; {@link GyroSentinelException#field()} names it (e.g. {@code configure.odr_hz}). */
    INVALID_ARGUMENT(4),
    /** Not possible in the current state (e.g. configure while streaming, or a second calibration). */
    BUSY(5),
    /** The device lacks the capability (see {@link Capability}). */
    UNSUPPORTED(6),
    /** The envelope is larger than the device's {@link DeviceInfo#maxFrameSize() maximum frame size}. */
    FRAME_TOO_LARGE(7),
    /** A request that needs a running stream arrived while the device was idle. */
    NOT_STREAMING(8),
    /** The CRC-32 of a model chunk does not match its data. */
    MODEL_CRC_MISMATCH(9),
    /** A model chunk is not at the transfer's {@code next_offset} (or came without a {@code ModelBegin}). */
    MODEL_OFFSET_MISMATCH(10),
    /** The SHA-256 of the whole stored model differs from the one announced at {@code ModelBegin}. */
    MODEL_HASH_MISMATCH(11),
    /**
     * The bundle's signature is missing or not made by the device's configured key (checked at {@code ModelBegin}).
     */
    MODEL_SIGNATURE_INVALID(12),
    /** The model is larger than a model slot. */
    MODEL_TOO_LARGE(13),
    /** The device's interpreter refused the model; the previously running model stays active. */
    MODEL_LOAD_FAILED(14),
    /** Inference or calibration was requested without a valid (or active) model. */
    NO_MODEL(15),
    /** Writing the device's flash or file storage failed. */
    STORAGE(16),
    /** The sensor did not respond, or (calibration) a channel did not vary. */
    SENSOR(17),
    /** Any other failure inside the device. */
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

    /**
     * The protocol's numeric code, or a negative number for host-side codes.
     *
     * @return the wire code, 1 .. 19 for device errors, negative for host-side ones
     */
    public int wireCode() {
        return wireCode;
    }

    /**
     * True for errors the device reported.
     *
     * @return whether the device reported this error (including {@link #DEVICE_UNKNOWN})
     */
    public boolean isDeviceError() {
        return wireCode > 0 || this == DEVICE_UNKNOWN;
    }

    /**
     * Maps a protocol error code to the enum; unknown codes map to {@link #DEVICE_UNKNOWN}.
     *
     * @param code the protocol's error code
     * @return the matching constant, {@link #DEVICE_UNKNOWN} when there is none (or {@code code} is not positive)
     */
    public static ErrorCode fromWire(int code) {
        for (ErrorCode c : values()) {
            if (c.wireCode == code && code > 0) {
                return c;
            }
        }
        return DEVICE_UNKNOWN;
    }
}
