package io.gyrosentinel.transport.serial.pty;

import io.gyrosentinel.sim.VirtualDevice;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.UnaryOperator;

/**
 * A {@link VirtualDevice} "plugged in" on a real PTY, reachable by a stable symlink (like
 * {@code /dev/serial/by-id/...}). {@link #unplug()} removes the symlink and closes the PTY master;
 * {@link #replug()} creates a new PTY and points the symlink at its slave: a client that opened
 * {@code serial:<symlink>} finds the device again at the same path.
 */
public final class PtyDevice implements AutoCloseable {
    private volatile VirtualDevice device;
    private final java.util.List<VirtualDevice> devices = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final UnaryOperator<OutputStream> uplinkFilter;
    private final Path dir;
    private final Path link;
    private volatile Pty pty;

    private PtyDevice(VirtualDevice device, UnaryOperator<OutputStream> uplinkFilter) throws IOException {
        this.device = device;
        this.devices.add(device);
        this.uplinkFilter = uplinkFilter;
        this.dir = Files.createTempDirectory("gs-pty");
        this.link = dir.resolve("ttyGS0");
        plugIn();
    }

    /** Plugs {@code device} in; {@code uplinkFilter} may wrap the device → host byte stream (e.g. to corrupt it). */
    public static PtyDevice plug(VirtualDevice device, UnaryOperator<OutputStream> uplinkFilter) {
        try {
            return new PtyDevice(device, uplinkFilter);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PtyDevice plug(VirtualDevice device) {
        return plug(device, UnaryOperator.identity());
    }

    private void plugIn() throws IOException {
        Pty p = Pty.open();
        pty = p;
        device.attach(p.in(), uplinkFilter.apply(p.out()));
        Path tmp = dir.resolve("ttyGS0.new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(p.slavePath()));
        Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The stable path (a symlink to the current PTY slave). */
    public Path link() {
        return link;
    }

    /** The current PTY slave, e.g. {@code /dev/pts/4}. */
    public String slavePath() {
        return pty.slavePath();
    }

    public VirtualDevice device() {
        return device;
    }

    /** Pulls the cable: the path disappears and the host's port is hung up. */
    public void unplug() throws IOException {
        Files.deleteIfExists(link);
        pty.close();
    }

    /**
     * Plugs the cable back in: a new PTY behind the same path, the same device, still streaming if
     * it was (a self-powered board behind a USB-serial bridge: only the link was cut).
     */
    public void replug() throws IOException {
        plugIn();
    }

    /**
     * Plugs the cable back in to a board that rebooted (a USB-powered board loses power with the
     * cable): {@code rebooted} replaces the old device, which is switched off.
     */
    public void replug(VirtualDevice rebooted) throws IOException {
        VirtualDevice old = device;
        device = rebooted;
        devices.add(rebooted);
        old.close();
        plugIn();
    }

    @Override
    public void close() {
        pty.close();
        devices.forEach(VirtualDevice::close);
        try {
            Files.deleteIfExists(link);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
