package io.gyrosentinel.stream;

import io.gyrosentinel.Gap;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.internal.stream.ReplayStream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Flow;

/**
 * A live (or replayed) stream of gyroscope samples. Closing it stops streaming on the device.
 *
 * <p>Consume it as a {@link Flow.Publisher} of {@link SampleBlock}s (callbacks run on the
 * client's callback executor, never on the I/O thread), by blocking {@link #poll(Duration)},
 * as sliding {@link #windows(int, int) windows}, or through a {@link Collector}.
 *
 * <pre>{@code
 * try (DeviceClient dev = DeviceClient.connect("sim:");
 *      GyroStream stream = dev.stream()) {
 *     SampleBlock b = stream.poll(Duration.ofSeconds(1));
 *     System.out.println(b.count() + " samples, x[0] = " + b.value(0, 0) + " dps");
 * }
 * }</pre>
 *
 * <p>Lost samples are never silent: see {@link Gap}, {@link #gaps()},
 * {@link SampleBlock#missingBefore()} and {@link #stats()}.
 */
public interface GyroStream extends Flow.Publisher<SampleBlock>, AutoCloseable {

    /** The sensor configuration of this stream. */
    SensorConfig config();

    /** Physical units per LSB for each channel. */
    float[] scale();

    /**
     * The next block, waiting up to {@code timeout}; {@code null} on time-out or when the stream
     * has ended. Blocks that overflow the poll buffer (see the client's {@code streamBuffer})
     * are dropped; the next block polled carries them in {@link SampleBlock#missingBefore()}, and
     * {@link #stats()} counts them.
     */
    SampleBlock poll(Duration timeout);

    /** Gaps as they are detected. */
    Flow.Publisher<Gap> gaps();

    /** Sliding windows of {@code size} samples every {@code stride} samples. */
    Flow.Publisher<Window> windows(int size, int stride);

    /** Sends every block and gap to {@code collector} until the stream or the returned handle closes. */
    AutoCloseable collectTo(Collector collector);

    /** Counters so far. */
    GyroStreamStats stats();

    /** True once the stream has ended (closed, finished or failed). */
    boolean isDone();

    /** Stops the stream. Idempotent. */
    @Override
    void close();

    /**
     * Replays a recording as a stream: as fast as possible, or at the recorded rate when
     * {@code realTime} is true.
     */
    static GyroStream replay(Path recording, boolean realTime) {
        return ReplayStream.open(recording, realTime);
    }
}
