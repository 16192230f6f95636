package io.gyrosentinel.transport.serial.interop;

import io.gyrosentinel.transport.serial.pty.Pty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C device ({@code esp32-component/target/cmake/tools/gs_virtual_device}, the portable core of the
 * ESP-IDF component built for the host) running as a child process, reachable by a serial client at
 * {@link #uri()}.
 *
 * <p>PTY plumbing: the binary opens the slave of one PTY with {@code --tty}; the client opens the slave of a
 * second PTY through a stable symlink (like {@code /dev/serial/by-id/...}); two threads copy bytes between the
 * two masters unchanged. So both programs see a real terminal, and the cable can be pulled and plugged back
 * ({@link #unplug()}, {@link #replug()}) on the host side while the device process keeps running, which is what
 * an interrupted model transfer needs.
 */
final class NativeVirtualDevice implements AutoCloseable {
    static final String BINARY_PROPERTY = "gs.virtualDevice";

    private final Pty devicePty;
    private volatile Pty hostPty;
    private final Path dir;
    private final Path link;
    private final Path stderr;
    private final Process process;
    private final List<Thread> pumps = new ArrayList<>();
    private volatile boolean closed;

    private NativeVirtualDevice(List<String> args) throws IOException {
        Path binary = binary();
        dir = Files.createTempDirectory("gs-native");
        link = dir.resolve("ttyGS0");
        stderr = dir.resolve("device.log");
        devicePty = Pty.open();
        hostPty = Pty.open();
        Files.createSymbolicLink(link, Path.of(hostPty.slavePath()));
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--tty");
        cmd.add(devicePty.slavePath());
        cmd.add("--verbose");
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile()).start();
        pumps.add(pump("device->host", devicePty.in(), true));
        pumps.add(pump("host->device", null, false));
    }

    /** Starts the binary with extra arguments (e.g. {@code --model-dir DIR --public-key PEM}). */
    static NativeVirtualDevice start(String... args) {
        try {
            return new NativeVirtualDevice(List.of(args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The host build of the device. Missing is a failure, not a skip: these tests are the proof that the Java
     * SDK and the C firmware core interoperate.
     */
    static Path binary() {
        String prop = System.getProperty(BINARY_PROPERTY);
        Path p = prop != null && !prop.isBlank() ? Path.of(prop)
                : Path.of("").toAbsolutePath().resolve("../esp32-component/target/cmake/tools/gs_virtual_device")
                        .normalize();
        if (!Files.isExecutable(p)) {
            throw new AssertionError("C virtual device not found at " + p + ". Build it first: "
                    + "./mvnw -o -pl esp32-component verify (not with -Dgs.skipNative), or run this module with "
                    + "-am; or point -D" + BINARY_PROPERTY + "=/path/to/gs_virtual_device at a build.");
        }
        return p;
    }

    /** {@code serial:} URI of the stable path. */
    String uri() {
        return "serial:" + link;
    }

    /** Pulls the host-side cable: the client's port hangs up; the device keeps running. */
    void unplug() {
        hostPty.close();
    }

    /** Plugs a new host-side PTY in behind the same path. */
    void replug() throws IOException {
        Pty p = Pty.open();
        Path tmp = dir.resolve("ttyGS0.new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(p.slavePath()));
        Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        hostPty = p;
    }

    /** What the device printed (--verbose), for failure messages. */
    String log() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private Thread pump(String name, InputStream fixedIn, boolean toHost) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            while (!closed) {
                Pty host = hostPty;
                try {
                    InputStream in = toHost ? fixedIn : host.in();
                    int n = in.read(buf, 0, buf.length);
                    if (n < 0) {
                        if (toHost || closed) {
                            return; // the device PTY is gone: we are closing
                        }
                        while (!closed && hostPty == host) { // unplugged: wait for replug()
                            Thread.sleep(10);
                        }
                        continue;
                    }
                    // Toward the host: whichever PTY is plugged in now, not the one before the read blocked.
                    OutputStream out = toHost ? hostPty.out() : devicePty.out();
                    try {
                        out.write(buf, 0, n);
                    } catch (IOException unplugged) {
                        // bytes sent into a pulled cable are lost, as on real hardware
                    }
                } catch (IOException e) {
                    if (!closed && !host.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gs-native-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        hostPty.close();
        devicePty.close(); // the binary reads EIO (hang-up) and exits
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (Thread t : pumps) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(link);
        } catch (IOException ignored) {
            // temp directory: best effort
        }
    }
}
