package io.gyrosentinel.io;

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
 * left as it was. Public: recordings, models, reports and applications writing their own files use it.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the file's content. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the content.
         *
         * @param out the temporary file's stream; do not close it
         * @throws IOException when writing fails; the target is then left as it was
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically.
     *
     * @param target the file to write, replaced if it exists; its folder is created if missing
     * @param secret owner-only permissions (keys); otherwise rw-r--r-- like any file
     * @param body   writes the content
     * @throws IOException when the file cannot be written or moved into place (a {@link RuntimeException} from
     *         {@code body} also leaves the target as it was)
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

    /**
     * Writes {@code target} atomically with the given bytes, readable like any file.
     *
     * @param target the file to write, replaced if it exists
     * @param data   the content
     * @throws IOException when the file cannot be written or moved into place
     */
    public static void write(Path target, byte[] data) throws IOException {
        write(target, false, out -> out.write(data));
    }

    /**
     * A new empty temporary file in {@code target}'s folder (created if missing), named after it
     * and hidden; for writers that stream into it themselves and finish with {@link #moveIntoPlace}.
     *
     * @param target the file that will be written
     * @param secret owner-only permissions (rw-------), otherwise rw-r--r--
     * @return the temporary file: {@code .<name>.<random>.part} in the target's folder
     * @throws IOException when the folder or the file cannot be created
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

    /**
     * Replaces {@code target} with {@code tmp}, atomically where the file system can.
     *
     * @param tmp    the finished temporary file
     * @param target the file to replace
     * @throws IOException when the move fails
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes a file if it exists, ignoring failures (best effort clean-up).
     *
     * @param p the file
     */
    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the name starts with a dot and ends with .part
        }
    }
}
