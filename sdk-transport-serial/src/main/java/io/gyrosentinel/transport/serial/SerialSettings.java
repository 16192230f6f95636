package io.gyrosentinel.transport.serial;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.transport.Endpoint;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The line settings of a serial port, as given by a {@code serial:} URI:
 * {@code serial:/dev/ttyUSB0?baud=921600&dataBits=8&parity=none&stopBits=1&flowControl=none}.
 * Every parameter is optional; the defaults (921600 8N1, no flow control) match the
 * GyroSentinel firmware's UART defaults.
 *
 * @param path        the port: a device path such as {@code /dev/ttyUSB0}, a stable symlink such as
 *                    {@code /dev/serial/by-id/...}, or {@code COM3} on Windows
 * @param baudRate    bits per second (PTYs ignore it)
 * @param dataBits    5 to 8
 * @param parity      none, even or odd
 * @param stopBits    1 or 2
 * @param flowControl none or RTS/CTS hardware flow control
 */
public record SerialSettings(String path, int baudRate, int dataBits, Parity parity, int stopBits,
                             FlowControl flowControl) {

    /** The default baud rate: 921600, the firmware's default (about 92 kB/s at 8N1). */
    public static final int DEFAULT_BAUD = 921_600;

    /** The URI parameters a {@code serial:} URI accepts (line settings and reconnect settings). */
    public static final Set<String> URI_PARAMETERS = Set.of("baud", "dataBits", "parity", "stopBits", "flowControl",
            "reconnect", "backoffMs", "maxBackoffMs");

    /** Parity bit. */
    public enum Parity {
        /** No parity bit. */
        NONE,
        /** Even parity. */
        EVEN,
        /** Odd parity. */
        ODD
    }

    /** Flow control. */
    public enum FlowControl {
        /** No flow control. */
        NONE,
        /** RTS/CTS hardware flow control. */
        RTSCTS
    }

    /**
     * Validates the settings.
     *
     * @param path        the port, not blank
     * @param baudRate    bits per second, 50 .. 20 000 000
     * @param dataBits    5 to 8
     * @param parity      the parity, not {@code null}
     * @param stopBits    1 or 2
     * @param flowControl the flow control, not {@code null}
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} (field {@code baud}, {@code dataBits} or {@code
     *         stopBits}) when a value is out of range or the path is blank
     */
    public SerialSettings {
        Objects.requireNonNull(parity, "parity");
        Objects.requireNonNull(flowControl, "flowControl");
        if (path == null || path.isBlank()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "serial port path is empty; e.g. /dev/ttyUSB0");
        }
        if (baudRate < 50 || baudRate > 20_000_000) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "baud rate " + baudRate
                    + " is out of range 50..20000000", "baud", null);
        }
        if (dataBits < 5 || dataBits > 8) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "dataBits " + dataBits + " must be 5, 6, 7 or 8",
                    "dataBits", null);
        }
        if (stopBits != 1 && stopBits != 2) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "stopBits " + stopBits + " must be 1 or 2",
                    "stopBits", null);
        }
    }

    /**
     * 921600 8N1 without flow control on {@code path}.
     *
     * @param path the port, e.g. {@code /dev/ttyUSB0} or {@code COM3}
     * @return the settings
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the path is blank
     */
    public static SerialSettings of(String path) {
        return new SerialSettings(path, DEFAULT_BAUD, 8, Parity.NONE, 1, FlowControl.NONE);
    }

    /**
     * Reads the settings from a {@code serial:} URI.
     *
     * @param e a parsed {@code serial:} URI
     * @return the settings; absent parameters take the defaults
     * @throws GyroSentinelException with {@code BAD_URI} naming the offending parameter and the accepted values
     */
    public static SerialSettings fromEndpoint(Endpoint e) {
        e.requireKnownParams(URI_PARAMETERS);
        String path = pathOf(e);
        int baud = e.intParam("baud", DEFAULT_BAUD);
        int dataBits = e.intParam("dataBits", 8);
        Parity parity = parseEnum(e, "parity", Parity.NONE, Parity.class, "none, even or odd");
        int stopBits = e.intParam("stopBits", 1);
        FlowControl flow = parseEnum(e, "flowControl", FlowControl.NONE, FlowControl.class, "none or rtscts");
        long backoff = e.longParam("backoffMs", 100);
        long maxBackoff = e.longParam("maxBackoffMs", 5000);
        e.boolParam("reconnect", true);
        if (backoff < 1 || maxBackoff < backoff) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "': backoffMs="
                    + backoff + " and maxBackoffMs=" + maxBackoff + " must satisfy 1 <= backoffMs <= maxBackoffMs",
                    "backoffMs", null);
        }
        try {
            return new SerialSettings(path, baud, dataBits, parity, stopBits, flow);
        } catch (GyroSentinelException ex) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "': "
                    + ex.detail(), ex.field(), null);
        }
    }

    private static String pathOf(Endpoint e) {
        String hint = "; write serial:/dev/ttyUSB0 (Linux), serial:/dev/cu.usbserial-0001 (macOS) or serial:COM3 "
                + "(Windows); SerialPorts.list() or 'gyrosentinel devices' lists the ports";
        if (e.host() != null && !e.host().isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted()
                    + "': a serial URI names a port path, not a host ('" + e.host() + "')" + hint);
        }
        String p = e.path();
        if (p == null || p.isBlank()) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "' names no port" + hint);
        }
        return p;
    }

    private static <T extends Enum<T>> T parseEnum(Endpoint e, String name, T dflt, Class<T> type, String accepted) {
        String v = e.param(name, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + e.redacted() + "': parameter " + name
                    + "='" + v + "' must be " + accepted, name, null);
        }
    }

    /** {@return a short form for logs, e.g. {@code /dev/ttyUSB0@921600} (plus the framing when not 8N1)} */
    public String describe() {
        String frame = "" + dataBits + parity.name().charAt(0) + stopBits;
        return path + "@" + baudRate + (frame.equals("8N1") ? "" : "-" + frame)
                + (flowControl == FlowControl.NONE ? "" : "-rtscts");
    }

    /** {@return the URI that gives these settings, e.g. {@code serial:/dev/ttyUSB0?baud=921600}} */
    public String toUri() {
        StringBuilder sb = new StringBuilder("serial:").append(path).append("?baud=").append(baudRate);
        if (dataBits != 8) sb.append("&dataBits=").append(dataBits);
        if (parity != Parity.NONE) sb.append("&parity=").append(parity.name().toLowerCase(Locale.ROOT));
        if (stopBits != 1) sb.append("&stopBits=").append(stopBits);
        if (flowControl != FlowControl.NONE) sb.append("&flowControl=rtscts");
        return sb.toString();
    }
}
