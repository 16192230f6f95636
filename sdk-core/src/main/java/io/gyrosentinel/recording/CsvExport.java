package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a recording as CSV: {@code sample,timestamp_us,<channel names...>,label}, one row per
 * present sample; gaps show as jumps in {@code sample}. Written atomically.
 */
public final class CsvExport {
    private CsvExport() {
    }

    public static long write(Recording rec, Path out) {
        Path abs = out.toAbsolutePath();
        Path tmp = null;
        long rows = 0;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".part");
            io.gyrosentinel.internal.io.FilePermissions.shareable(tmp);
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("sample,timestamp_us");
                for (String n : rec.info().channelNames()) {
                    w.write(',');
                    w.write(n);
                }
                w.write(",label\n");
                StringBuilder sb = new StringBuilder(128);
                for (SampleBlock b : rec.blocks()) {
                    for (int i = 0; i < b.count(); i++) {
                        long idx = b.firstSample() + i;
                        sb.setLength(0);
                        sb.append(idx).append(',').append(b.timestampMicros(i));
                        for (int c = 0; c < b.channels(); c++) {
                            sb.append(',').append(b.value(i, c));
                        }
                        sb.append(',').append(rec.labelAt(idx).name().toLowerCase(java.util.Locale.ROOT)).append('\n');
                        w.write(sb.toString());
                        rows++;
                    }
                }
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return rows;
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            throw new GyroSentinelException(ErrorCode.IO, "cannot write CSV " + out + ": " + e.getMessage(), e);
        }
    }
}
