package io.gyrosentinel.internal.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that appear whole or not at all: written to a hidden temporary file beside the target and
 * moved into place when complete; on any failure the temporary file is deleted and the target is
 * left as it was. Not public API.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the file's content. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically.
     *
     * @param secret owner-only permissions (keys); otherwise rw-r--r-- like any file
     */
    public static void write(Path target, boolean secret, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = temporaryBeside(abs, secret);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.write(out);
            }
            moveIntoPlace(tmp, abs);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    public static void write(Path target, byte[] data) throws IOException {
        write(target, false, out -> out.write(data));
    }

    /**
     * A new empty temporary file in {@code target}'s folder (created if missing), named after it
     * and hidden; for writers that stream into it themselves and finish with {@link #moveIntoPlace}.
     */
    public static Path temporaryBeside(Path target, boolean secret) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".part");
        try {
            // temporary files start owner-only; a finished result is readable like any file
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
        return tmp;
    }

    /** Replaces {@code target} with {@code tmp}, atomically where the file system can. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the name starts with a dot and ends with .part
        }
    }
}
