package io.gyrosentinel.transport.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import io.gyrosentinel.transport.StreamTransport;
import io.gyrosentinel.transport.serial.SerialSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Opens the jSerialComm port for a {@link StreamTransport}; called again for every reconnect,
 * so a port that comes back under the same name (or a symlink re-pointed by udev) is found anew.
 *
 * <p>Why the port is driven the way it is (jSerialComm 2.11, POSIX native code):
 * <ul>
 *   <li>{@code TIMEOUT_READ_SEMI_BLOCKING} with a 100 ms timeout sets VMIN=0/VTIME=1: a read
 *       returns as soon as any byte is there (no added latency), and returns 0 after 100 ms of
 *       silence so the reader never sits in the kernel for long. The "blocking" mode would
 *       instead loop until the whole buffer is full or the timeout expires, delaying frames.</li>
 *   <li>When the device disappears (USB unplug, PTY master closed) the tty is hung up: read()
 *       returns 0 and FIONREAD fails with EIO, which jSerialComm reports as -1. We turn that into
 *       an {@link IOException}, so the StreamTransport reconnects.</li>
 *   <li>A missing port fails before any native call ({@link Files#exists}, which follows
 *       symlinks), so a reconnect attempt costs microseconds, not jSerialComm's safety sleep.</li>
 *   <li>{@link SerialPort#getCommPort} resolves symlinks once, at creation: it is called on every
 *       connect, never cached.</li>
 * </ul>
 */
public final class SerialConnector implements StreamTransport.Connector {
    /** Read timeout: bounds how long a reader stays in the kernel; does not add latency. */
    static final int READ_TIMEOUT_MS = 100;

    private final SerialSettings settings;

    public SerialConnector(SerialSettings settings) {
        this.settings = settings;
    }

    @Override
    public StreamTransport.Connection connect() throws IOException {
        String path = settings.path();
        boolean windowsName = path.regionMatches(true, 0, "COM", 0, 3) && !path.contains("/");
        if (!windowsName) {
            Path p = Paths.get(path);
            if (!Files.exists(p)) {
                throw new IOException(SerialErrors.notFound(path));
            }
            if (!Files.isReadable(p) || !Files.isWritable(p)) {
                throw new IOException(SerialErrors.permissionDenied(path));
            }
        }
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path);
        } catch (SerialPortInvalidPortException e) {
            throw new IOException(SerialErrors.notFound(path), e);
        } catch (LinkageError e) {
            throw new IOException("cannot load jSerialComm's native library for " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch") + ": " + e + "; check that java.io.tmpdir is writable and "
                    + "not mounted noexec, or set -DjSerialComm.library.path", e);
        }
        port.setComPortParameters(settings.baudRate(), settings.dataBits(),
                settings.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT,
                switch (settings.parity()) {
                    case NONE -> SerialPort.NO_PARITY;
                    case EVEN -> SerialPort.EVEN_PARITY;
                    case ODD -> SerialPort.ODD_PARITY;
                });
        port.setFlowControl(settings.flowControl() == SerialSettings.FlowControl.RTSCTS
                ? SerialPort.FLOW_CONTROL_RTS_ENABLED | SerialPort.FLOW_CONTROL_CTS_ENABLED
                : SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_TIMEOUT_MS, 0);
        if (!port.openPort(0)) {
            int errno = port.getLastErrorCode();
            throw new IOException(SerialErrors.openFailure(path, errno, windowsName || Files.exists(Paths.get(path))));
        }
        return new SerialConnection(port, path);
    }

    /** An open port as the byte stream the StreamTransport reads and writes. */
    static final class SerialConnection implements StreamTransport.Connection {
        private final SerialPort port;
        private final String path;
        private volatile boolean closed;
        private final InputStream in = new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n;
                while ((n = read(one, 0, 1)) == 0) {
                    // timed out: keep waiting for a byte, as InputStream.read() promises
                }
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (closed) {
                    return -1;
                }
                int n = port.readBytes(b, len, off);
                if (n >= 0) {
                    return n; // 0: the read timed out, nothing arrived
                }
                if (closed) {
                    return -1;
                }
                throw new IOException(SerialErrors.lost(path, port.getLastErrorCode()));
            }

            @Override
            public int available() {
                return closed ? 0 : Math.max(0, port.bytesAvailable());
            }
        };
        private final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int done = 0;
                while (done < len) {
                    if (closed) {
                        throw new IOException("serial port " + path + " is closed");
                    }
                    int n = port.writeBytes(b, len - done, off + done);
                    if (n <= 0) {
                        throw new IOException(closed ? "serial port " + path + " is closed"
                                : SerialErrors.lost(path, port.getLastErrorCode()));
                    }
                    done += n;
                }
            }
        };

        SerialConnection(SerialPort port, String path) {
            this.port = port;
            this.path = path;
        }

        @Override
        public InputStream in() {
            return in;
        }

        @Override
        public OutputStream out() {
            return out;
        }

        /** Closes the port; jSerialComm first switches it to non-blocking so a pending read returns. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            port.closePort();
        }
    }
}
