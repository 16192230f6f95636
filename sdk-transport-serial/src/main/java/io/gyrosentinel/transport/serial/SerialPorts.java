package io.gyrosentinel.transport.serial;

import io.gyrosentinel.transport.serial.internal.PortLister;

import java.util.List;

/**
 * The serial ports of this machine.
 *
 * <pre>{@code
 * for (SerialPortInfo p : SerialPorts.list()) {
 *     System.out.printf("%-16s %-9s %s%n", p.path(), p.usbId(), p.description());
 * }
 * }</pre>
 *
 * <p>Pseudo-terminals and ports the operating system does not enumerate (e.g. some
 * {@code /dev/serial/by-id/} symlinks' targets under other names) are not listed but can still be
 * opened by path.
 */
public final class SerialPorts {
    private SerialPorts() {
    }

    /**
     * Enumerates the serial ports present now, sorted by path.
     *
     * @return the ports present now; empty when there are none
     * @throws io.gyrosentinel.GyroSentinelException with {@code TRANSPORT} when the native serial library cannot be loaded
     */
    public static List<SerialPortInfo> list() {
        return PortLister.list();
    }
}
