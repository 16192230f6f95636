package io.gyrosentinel.recording;

import java.nio.charset.StandardCharsets;

/** Constants of the recording file format (docs/recording-format.md). */
final class RecordingFormat {
    static final byte[] MAGIC = "GSREC\0\1\n".getBytes(StandardCharsets.ISO_8859_1);
    static final int VERSION = 1;

    private RecordingFormat() {
    }
}
