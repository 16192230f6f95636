package io.gyrosentinel.collect;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;

/**
 * Receives what a device produces and writes it anywhere: a file, a database, a message bus.
 * Every method has an empty default: implement what you need. Calls come from one thread at a
 * time, in order, never from the I/O thread. A recording writer is a collector too.
 *
 * <pre>{@code
 * // Writes the RMS of every block to a CSV file.
 * final class RmsCsvCollector implements Collector {
 *     private final PrintWriter out;
 *     RmsCsvCollector(Path file) throws IOException { out = new PrintWriter(Files.newBufferedWriter(file)); }
 *     public void onBlock(SampleBlock b) {
 *         double sum = 0;
 *         for (int i = 0; i < b.count(); i++) { float x = b.value(i, 0); sum += x * x; }
 *         out.println(b.timestampMicros() + "," + Math.sqrt(sum / b.count()));
 *     }
 *     public void onGap(Gap g) { out.println("# gap of " + g.missingSamples() + " samples"); }
 *     public void close() { out.close(); }
 * }
 * stream.collectTo(new RmsCsvCollector(Path.of("rms.csv")));
 * }</pre>
 */
public interface Collector extends AutoCloseable {
    /**
     * A block of samples arrived.
     *
     * @param block the samples; its arrays are shared, copy what you keep
     */
    default void onBlock(SampleBlock block) {
    }

    /**
     * Samples went missing before the next block.
     *
     * @param gap where and how many
     */
    default void onGap(Gap gap) {
    }

    /**
     * The device's model scored a window.
     *
     * @param result the window's score and verdict
     */
    default void onResult(InferenceResult result) {
    }

    /**
     * An anomaly episode started or ended.
     *
     * @param event the episode
     */
    default void onEvent(AnomalyEvent event) {
    }

    /** The source ended or the collector was detached. */
    @Override
    default void close() {
    }
}
