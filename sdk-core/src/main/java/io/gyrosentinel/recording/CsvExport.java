package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import io.gyrosentinel.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a recording as CSV: {@code sample,timestamp_us,<channel names...>,label}, one row per
 * present sample; gaps show as jumps in {@code sample}. Written atomically.
 */
public final class CsvExport {
    private CsvExport() {
    }

    /**
     * Writes all samples of a recording, in physical units, with the label of each sample.
     *
     * @param rec the recording
     * @param out the CSV file, replaced if it exists
     * @return the number of rows written (samples, not counting the header)
     * @throws GyroSentinelException {@link ErrorCode#IO} when the file cannot be written
     */
    public static long write(Recording rec, Path out) {
        long[] rows = {0};
        try {
            AtomicFiles.write(out, false, stream -> {
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
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
                        rows[0]++;
                    }
                }
                w.flush();
            });
            return rows[0];
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot write CSV " + out + ": " + e.getMessage(), e);
        }
    }
}
