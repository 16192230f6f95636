package io.gyrosentinel.internal.framing;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Streaming decoder for {@link FrameCodec} frames. Feed it any chunks of bytes; it calls the
 * handler with every frame whose COBS and CRC are valid. It never throws on bad input: bad
 * frames are dropped and counted, and decoding resynchronises at the next 0x00.
 *
 * <p>Not thread-safe: one decoder per byte stream. The handler receives a view into an
 * internal buffer that is reused for the next frame.
 */
public final class FrameDecoder {

    /** Receives good frames. */
    @FunctionalInterface
    public interface Handler {
        void onFrame(byte[] buf, int off, int len);
    }

    private final Handler handler;
    private final int maxEnvelope;
    private final byte[] buf;
    private final CRC32 crc = new CRC32();
    private int len;
    private int remaining;
    private boolean blockIsFull;
    private boolean pendingZero;
    private boolean discarding;
    private boolean started;

    private long goodFrames;
    private long badCrc;
    private long badCobs;
    private long oversize;
    private long tooShort;
    private long bytes;

    public FrameDecoder(Handler handler) {
        this(handler, FrameCodec.MAX_ENVELOPE);
    }

    public FrameDecoder(Handler handler, int maxEnvelope) {
        this.handler = handler;
        this.maxEnvelope = maxEnvelope;
        this.buf = new byte[maxEnvelope + 4];
    }

    public void feed(ByteBuffer data) {
        if (data.hasArray()) {
            feed(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
        } else {
            while (data.hasRemaining()) {
                feed(data.get());
            }
        }
    }

    public void feed(byte[] data, int off, int n) {
        bytes += n;
        int end = off + n;
        for (int i = off; i < end; i++) {
            byte b = data[i];
            if (b == 0) {
                endOfFrame();
                continue;
            }
            if (discarding) {
                continue;
            }
            started = true;
            if (remaining == 0) {
                // code byte: starts a new block
                if (pendingZero && !append((byte) 0)) {
                    continue;
                }
                int code = b & 0xFF;
                remaining = code - 1;
                blockIsFull = code == 0xFF;
                pendingZero = remaining == 0 && !blockIsFull;
            } else {
                if (!append(b)) {
                    continue;
                }
                if (--remaining == 0) {
                    pendingZero = !blockIsFull;
                }
            }
        }
    }

    public void feed(byte b) {
        feed(new byte[] {b}, 0, 1);
    }

    private boolean append(byte b) {
        if (len == buf.length) {
            oversize++;
            discarding = true;
            return false;
        }
        buf[len++] = b;
        return true;
    }

    private void endOfFrame() {
        try {
            if (discarding) {
                return;
            }
            if (!started) {
                return; // empty frame (leading or doubled delimiter): not an error
            }
            if (remaining != 0) {
                badCobs++;
                return;
            }
            if (len < 5) {
                tooShort++;
                return;
            }
            int envLen = len - 4;
            crc.reset();
            crc.update(buf, 0, envLen);
            int expected = (int) crc.getValue();
            int got = (buf[envLen] & 0xFF) | (buf[envLen + 1] & 0xFF) << 8 | (buf[envLen + 2] & 0xFF) << 16
                    | (buf[envLen + 3] & 0xFF) << 24;
            if (expected != got) {
                badCrc++;
                return;
            }
            goodFrames++;
            handler.onFrame(buf, 0, envLen);
        } finally {
            len = 0;
            remaining = 0;
            pendingZero = false;
            discarding = false;
            started = false;
        }
    }

    public long goodFrames() { return goodFrames; }
    public long badCrc() { return badCrc; }
    public long badCobs() { return badCobs; }
    public long oversize() { return oversize; }
    public long tooShort() { return tooShort; }
    public long bytes() { return bytes; }

    /** All frames dropped for any reason. */
    public long badFrames() {
        return badCrc + badCobs + oversize + tooShort;
    }

    public int maxEnvelope() {
        return maxEnvelope;
    }
}
