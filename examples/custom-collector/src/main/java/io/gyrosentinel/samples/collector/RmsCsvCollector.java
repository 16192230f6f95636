package io.gyrosentinel.samples.collector;

import io.gyrosentinel.Gap;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.collect.Collector;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A custom collector: writes one CSV row per block with the RMS of each channel, and a comment
 * line for every gap. Attach it with {@code stream.collectTo(new RmsCsvCollector(path))}.
 */
public final class RmsCsvCollector implements Collector {
    private final PrintWriter out;
    private boolean header;

    public RmsCsvCollector(Path file) {
        try {
            this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    @Override
    public void onBlock(SampleBlock b) {
        if (!header) {
            StringBuilder h = new StringBuilder("first_sample,timestamp_us");
            for (int c = 0; c < b.channels(); c++) {
                h.append(",rms_").append(c);
            }
            out.println(h);
            header = true;
        }
        StringBuilder row = new StringBuilder().append(b.firstSample()).append(',').append(b.timestampMicros());
        for (int c = 0; c < b.channels(); c++) {
            double sum = 0;
            for (int i = 0; i < b.count(); i++) {
                float v = b.value(i, c);
                sum += v * v;
            }
            row.append(String.format(Locale.ROOT, ",%.5f", Math.sqrt(sum / b.count())));
        }
        out.println(row);
    }

    @Override
    public void onGap(Gap g) {
        out.println("# gap: " + g.missingSamples() + " samples missing at " + g.atSample() + " (" + g.cause() + ")");
    }

    @Override
    public void close() {
        out.close();
    }
}
