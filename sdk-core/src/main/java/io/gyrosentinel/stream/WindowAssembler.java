package io.gyrosentinel.stream;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;

import java.util.function.Consumer;

/**
 * Cuts a sequence of {@link SampleBlock}s into sliding windows of {@code size} samples every
 * {@code stride} samples. A gap ({@link SampleBlock#missingBefore()} &gt; 0, or a block that does
 * not continue the previous one) restarts the windowing: no window spans missing samples.
 * Not thread-safe.
 */
public final class WindowAssembler {
    private final int size;
    private final int stride;
    private final Consumer<Window> sink;
    private float[] ring;
    private long[] times;
    private int channels = -1;
    private long filled;          // samples in the current contiguous run
    private long runStart;        // stream index of the first sample of the run
    private long nextExpected = Long.MIN_VALUE;
    private long windows;
    private long restarts;

    /**
     * @param size   samples per window, at least 1
     * @param stride samples between the starts of consecutive windows, at least 1
     * @param sink   receives each window, on the thread calling {@link #accept(SampleBlock)}
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field {@code size} or {@code stride}) if
     *                               either is below 1
     */
    public WindowAssembler(int size, int stride, Consumer<Window> sink) {
        if (size < 1 || stride < 1) {
            throw new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, "window size and stride must be >= 1, got size="
                    + size + " stride=" + stride, size < 1 ? "size" : "stride", null);
        }
        this.size = size;
        this.stride = stride;
        this.sink = sink;
    }

    /**
     * Adds a block's samples, emitting every window it completes; a block with another channel count also restarts.
     *
     * @param b the next block
     */
    public void accept(SampleBlock b) {
        if (b.channels() != channels) {
            channels = b.channels();
            ring = new float[size * channels];
            times = new long[size];
            filled = 0;
        } else if (b.missingBefore() > 0 || b.firstSample() != nextExpected) {
            if (filled > 0) {
                restarts++;
            }
            filled = 0;
        }
        if (filled == 0) {
            runStart = b.firstSample();
        }
        int ch = channels;
        short[] raw = b.raw();
        float[] scale = b.scale();
        for (int i = 0; i < b.count(); i++) {
            int slot = (int) (filled % size);
            int base = i * ch;
            for (int c = 0; c < ch; c++) {
                ring[slot * ch + c] = raw[base + c] * scale[c];
            }
            times[slot] = b.timestampMicros(i);
            filled++;
            if (filled >= size && (filled - size) % stride == 0) {
                emit();
            }
        }
        nextExpected = b.endSample();
    }

    private void emit() {
        int ch = channels;
        float[] out = new float[size * ch];
        int first = (int) (filled % size); // oldest slot
        int tail = size - first;
        System.arraycopy(ring, first * ch, out, 0, tail * ch);
        System.arraycopy(ring, 0, out, tail * ch, first * ch);
        windows++;
        sink.accept(new Window(runStart + filled - size, times[first], size, ch, out));
    }

    /** {@return the number of windows emitted so far} */
    public long windows() {
        return windows;
    }

    /** {@return how many times a gap restarted the windowing with samples pending} */
    public long restarts() {
        return restarts;
    }
}
