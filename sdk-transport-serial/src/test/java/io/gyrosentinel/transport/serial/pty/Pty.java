package io.gyrosentinel.transport.serial.pty;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * A real pseudo-terminal made with JNA ({@code posix_openpt}, {@code grantpt}, {@code unlockpt},
 * {@code ptsname_r}), in raw mode. The master side is this object's streams (the "device" end);
 * the slave path ({@code /dev/pts/N}) is what a serial client opens. {@link #close()} closes the
 * master, which hangs up the slave exactly like pulling a USB-serial cable.
 *
 * <p>The master fd is non-blocking and every wait is a short {@code poll}, because on Linux a
 * thread blocked in {@code read} keeps the file alive: closing the fd from another thread would
 * neither wake it nor hang up the slave.
 */
public final class Pty implements AutoCloseable {
    interface LibC extends Library {
        LibC I = Native.load("c", LibC.class);

        int posix_openpt(int flags) throws LastErrorException;
        int grantpt(int fd) throws LastErrorException;
        int unlockpt(int fd) throws LastErrorException;
        int ptsname_r(int fd, byte[] buf, NativeLong len);
        int tcgetattr(int fd, byte[] termios) throws LastErrorException;
        int tcsetattr(int fd, int action, byte[] termios) throws LastErrorException;
        void cfmakeraw(byte[] termios);
        int fcntl(int fd, int cmd, int arg) throws LastErrorException;
        int poll(int[] pollfd, NativeLong nfds, int timeoutMs);
        NativeLong read(int fd, byte[] buf, NativeLong n) throws LastErrorException;
        NativeLong write(int fd, byte[] buf, NativeLong n) throws LastErrorException;
        int close(int fd);
    }

    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int TCSANOW = 0;
    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;
    private static final int POLL_ERR_HUP = 0x8 | 0x10;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EIO = 5;
    private static final int WAIT_MS = 20;

    private final int fd;
    private final String slavePath;
    private final Object lock = new Object();
    private volatile boolean closed;
    private final InputStream in = new MasterIn();
    private final OutputStream out = new MasterOut();

    private Pty(int fd, String slavePath) {
        this.fd = fd;
        this.slavePath = slavePath;
    }

    /** Creates a raw-mode PTY. */
    public static Pty open() throws IOException {
        LibC c = LibC.I;
        int fd;
        try {
            fd = c.posix_openpt(O_RDWR | O_NOCTTY);
        } catch (LastErrorException e) {
            throw new IOException("posix_openpt failed: errno " + e.getErrorCode(), e);
        }
        try {
            c.grantpt(fd);
            c.unlockpt(fd);
            byte[] name = new byte[128];
            int rc = c.ptsname_r(fd, name, new NativeLong(name.length));
            if (rc != 0) {
                throw new IOException("ptsname_r failed: " + rc);
            }
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            // The slave's termios is set through the master: no echo, no CR/LF or XON/XOFF
            // translation, so both directions are byte-transparent before the client opens.
            byte[] termios = new byte[256];
            c.tcgetattr(fd, termios);
            c.cfmakeraw(termios);
            c.tcsetattr(fd, TCSANOW, termios);
            c.fcntl(fd, F_SETFL, c.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
            return new Pty(fd, new String(name, 0, len, StandardCharsets.US_ASCII));
        } catch (LastErrorException | IOException e) {
            c.close(fd);
            throw e instanceof IOException io ? io : new IOException("PTY setup failed: errno "
                    + ((LastErrorException) e).getErrorCode(), e);
        }
    }

    /** The slave device, e.g. {@code /dev/pts/3}. */
    public String slavePath() {
        return slavePath;
    }

    /** What the host sends (master side). Ends with -1 once this PTY is closed. */
    public InputStream in() {
        return in;
    }

    /** Bytes to the host (master side). */
    public OutputStream out() {
        return out;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the master: the slave is hung up, as when the cable is pulled. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            LibC.I.close(fd);
        }
    }

    /** Waits up to {@link #WAIT_MS} for {@code events}; returns revents (0 on time-out). */
    private int poll(short events) {
        int[] pfd = {fd, events & 0xFFFF};
        int r = LibC.I.poll(pfd, new NativeLong(1), WAIT_MS);
        return r > 0 ? pfd[1] >>> 16 : 0;
    }

    private final class MasterIn extends InputStream {
        private byte[] tmp = new byte[4096];

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (closed) {
                    return -1;
                }
                int rev = poll(POLLIN);
                if ((rev & POLLIN) != 0) {
                    synchronized (lock) {
                        if (closed) {
                            return -1;
                        }
                        if (tmp.length < len) {
                            tmp = new byte[len];
                        }
                        try {
                            int n = LibC.I.read(fd, tmp, new NativeLong(len)).intValue();
                            if (n > 0) {
                                System.arraycopy(tmp, 0, b, off, n);
                                return n;
                            }
                        } catch (LastErrorException e) {
                            int err = e.getErrorCode();
                            if (err != EAGAIN && err != EINTR && err != EIO) {
                                throw new IOException("read from PTY master failed: errno " + err, e);
                            }
                        }
                    }
                } else if ((rev & POLL_ERR_HUP) != 0) {
                    // No host has the slave open (EIO/POLLHUP): a real device just waits for one.
                    sleep();
                }
            }
        }
    }

    private final class MasterOut extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] chunk = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
            int done = 0;
            while (done < len) {
                synchronized (lock) {
                    if (closed) {
                        throw new IOException("PTY " + slavePath + " is closed (unplugged)");
                    }
                    try {
                        byte[] src = done == 0 ? chunk : java.util.Arrays.copyOfRange(chunk, done, len);
                        done += LibC.I.write(fd, src, new NativeLong(len - done)).intValue();
                        continue;
                    } catch (LastErrorException e) {
                        int err = e.getErrorCode();
                        if (err != EAGAIN && err != EINTR && err != EIO) {
                            throw new IOException("write to PTY master failed: errno " + err, e);
                        }
                    }
                }
                // The slave's input queue is full (the host is not reading), or no host has it open.
                if ((poll(POLLOUT) & POLLOUT) == 0) {
                    sleep();
                }
            }
        }
    }

    private static void sleep() throws InterruptedIOException {
        LockSupport.parkNanos(WAIT_MS * 1_000_000L);
        if (Thread.interrupted()) {
            throw new InterruptedIOException();
        }
    }
}
