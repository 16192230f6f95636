package io.gyrosentinel.transport.serial.internal;

import java.util.Locale;

/**
 * Turns jSerialComm's native error numbers (POSIX errno values on Linux and macOS) into
 * sentences that say which port failed and what to do about it.
 */
public final class SerialErrors {
    // POSIX errno values (identical on Linux and macOS for these)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;   // Linux; flock() on a port another process holds
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int ENOTTY = 25;
    static final int EWOULDBLOCK_BSD = 35; // macOS EAGAIN

    private SerialErrors() {
    }

    /** Why opening {@code path} failed, given the error number jSerialComm reported. */
    public static String openFailure(String path, int errno, boolean exists) {
        return switch (errno) {
            case EACCES, EPERM -> permissionDenied(path);
            case ENOENT -> exists
                    // jSerialComm reports 2 as well when this process already has the port open
                    ? "serial port " + path + " is already open in this process; close the other client first"
                    : notFound(path);
            case EBUSY, EAGAIN, EWOULDBLOCK_BSD -> "serial port " + path + " is in use by another program; close "
                    + "serial monitors (idf.py monitor, screen, minicom, the Arduino IDE) and check that ModemManager "
                    + "does not grab it (lsof " + path + ")";
            case ENXIO, ENODEV -> "serial port " + path + " exists but its device is gone or not ready; re-plug the "
                    + "cable and check dmesg";
            case EIO -> "serial port " + path + " reported an I/O error on open; re-plug the cable and check dmesg";
            case ENOTTY -> path + " is not a serial port (it does not accept terminal settings)";
            default -> "cannot open serial port " + path + " (native error " + errno + "); check that it is a serial "
                    + "port, that it is plugged in and that no other program uses it";
        };
    }

    /** The port is missing. */
    public static String notFound(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        String hint = lower.startsWith("com") ? "check the COM number in the Device Manager"
                : "check the cable, that the board is powered and that its USB-serial driver is loaded (dmesg); "
                + "list the ports with SerialPorts.list() or 'gyrosentinel devices'";
        return "serial port " + path + " does not exist; " + hint;
    }

    /** The user may not open the port. */
    public static String permissionDenied(String path) {
        return "permission denied on serial port " + path + "; add your user to the dialout group "
                + "(sudo usermod -aG dialout $USER, then log out and in again; 'uucp' on Arch, and on macOS check "
                + "the port's owner)";
    }

    /** The open port failed while reading (unplugged, reset, driver gone). */
    public static String lost(String path, int errno) {
        return "serial port " + path + " went away: the device was unplugged, reset or its driver closed the port"
                + (errno > 0 ? " (native error " + errno + ")" : "");
    }
}
