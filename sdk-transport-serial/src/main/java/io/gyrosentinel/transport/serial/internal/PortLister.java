package io.gyrosentinel.transport.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.transport.serial.SerialPortInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;

/** Maps jSerialComm's port enumeration to {@link SerialPortInfo} records. */
public final class PortLister {
    private PortLister() {
    }

    public static List<SerialPortInfo> list() {
        SerialPort[] ports;
        try {
            ports = SerialPort.getCommPorts();
        } catch (LinkageError e) {
            throw new GyroSentinelException(ErrorCode.TRANSPORT, "cannot list serial ports: jSerialComm's native "
                    + "library does not load on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " (" + e + "); check that java.io.tmpdir is writable and not mounted noexec, or set "
                    + "-DjSerialComm.library.path", e);
        }
        List<SerialPortInfo> out = new ArrayList<>(ports.length);
        for (SerialPort p : ports) {
            out.add(new SerialPortInfo(p.getSystemPortPath(), p.getSystemPortName(), describe(p),
                    known(p.getManufacturer()), known(p.getSerialNumber()), id(p.getVendorID()), id(p.getProductID())));
        }
        out.sort(Comparator.comparing(SerialPortInfo::path));
        return List.copyOf(out);
    }

    private static String describe(SerialPort p) {
        String d = p.getPortDescription();
        return d == null || d.isBlank() ? p.getDescriptivePortName() : d;
    }

    private static String known(String s) {
        return s == null || s.isBlank() || s.equalsIgnoreCase("unknown") ? "" : s.trim();
    }

    private static OptionalInt id(int v) {
        return v > 0 ? OptionalInt.of(v) : OptionalInt.empty();
    }
}
