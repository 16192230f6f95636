package io.gyrosentinel.internal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Temporary files are created owner-only; results that replace them must be readable like any file. */
public final class FilePermissions {
    private FilePermissions() {
    }

    /** rw-r--r-- where the file system has POSIX permissions; nothing elsewhere. */
    public static void shareable(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }
}
