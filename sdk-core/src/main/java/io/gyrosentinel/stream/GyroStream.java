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

    /** {@return the sensor configuration of this stream} */
    SensorConfig config();

    /** {@return the physical units per LSB for each channel (dps/LSB for a gyroscope)} */
    float[] scale();

    /**
     * The next block, waiting up to {@code timeout}; {@code null} on time-out or when the stream
     * has ended. Blocks that overflow the poll buffer (see the client's {@code streamBuffer})
     * are dropped; the next block polled carries them in {@link SampleBlock#missingBefore()}, and
     * {@link #stats()} counts them.
     *
     * @param timeout how long to wait at most
     * @return the next block, or {@code null}
     */
    SampleBlock poll(Duration timeout);

    /** {@return a publisher of the gaps, as they are detected} */
    Flow.Publisher<Gap> gaps();

    /**
     * Sliding windows of {@code size} samples every {@code stride} samples, in physical units; a window never spans a
     * gap.
     *
     * @param size   samples per window, at least 1
     * @param stride samples between the starts of consecutive windows, at least 1
     * @return a publisher of the windows
     */
    Flow.Publisher<Window> windows(int size, int stride);

    /**
     * Sends every block and gap to {@code collector} until the stream or the returned handle closes.
     *
     * @param collector receives every block and gap, one call at a time
     * @return closing it detaches and closes the collector; once the stream has ended it first waits (up to
     *         30 s) until the blocks delivered are handled
     */
    AutoCloseable collectTo(Collector collector);

    /** {@return the counters so far} */
    GyroStreamStats stats();

    /** {@return {@code true} once the stream has ended (closed, finished or failed)} */
    boolean isDone();

    /** Stops the stream. Idempotent. */
    @Override
    void close();

    /**
     * Replays a recording as a stream: as fast as possible, or at the recorded rate when
     * {@code realTime} is true.
     *
     * @param recording the recording file
     * @param realTime  pace the blocks at the recorded rate instead of as fast as possible
     * @return the stream of the recording's blocks and gaps
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_RECORDING} or {@code IO} when the recording cannot be
     *         read
     */
    static GyroStream replay(Path recording, boolean realTime) {
        return ReplayStream.open(recording, realTime);
    }
}
