package io.gyrosentinel.internal.framing;

import java.util.zip.CRC32;

/**
 * Byte-stream framing (docs/protocol.md, "Framing"): a frame is
 * {@code COBS(envelope || CRC-32/IEEE(envelope) little-endian) 0x00}.
 */
public final class FrameCodec {
    /** Largest envelope, in bytes, before framing. */
    public static final int MAX_ENVELOPE = io.gyrosentinel.DeviceLimits.MAX_ENVELOPE_BYTES;
    /** Largest frame on the wire, delimiter included. */
    public static final int MAX_FRAME = maxEncodedLength(MAX_ENVELOPE);

    private FrameCodec() {
    }

    /** Upper bound of the encoded size of an envelope of {@code n} bytes, delimiter included. */
    public static int maxEncodedLength(int n) {
        int payload = n + 4;
        return payload + payload / 254 + 2;
    }

    /** Frames one envelope into a new array. */
    public static byte[] encode(byte[] envelope) {
        byte[] out = new byte[maxEncodedLength(envelope.length)];
        int n = encode(envelope, 0, envelope.length, out, 0, new CRC32());
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Frames {@code len} bytes of {@code src} into {@code dst} at {@code dstOff}; returns the
     * number of bytes written. {@code dst} must hold {@link #maxEncodedLength(int)} bytes.
     */
    public static int encode(byte[] src, int off, int len, byte[] dst, int dstOff, CRC32 crc) {
        if (len > MAX_ENVELOPE) {
            // internal: StreamTransport.send rejects large envelopes first (FRAME_TOO_LARGE)
            throw new IllegalArgumentException("envelope of " + len + " bytes exceeds the maximum of " + MAX_ENVELOPE);
        }
        crc.reset();
        crc.update(src, off, len);
        int c = (int) crc.getValue();
        int total = len + 4;
        int codePos = dstOff;
        int w = dstOff + 1;
        int code = 1;
        for (int i = 0; i < total; i++) {
            byte b;
            if (i < len) {
                b = src[off + i];
            } else {
                b = (byte) (c >>> (8 * (i - len)));
            }
            if (b == 0) {
                dst[codePos] = (byte) code;
                codePos = w++;
                code = 1;
            } else {
                dst[w++] = b;
                code++;
                if (code == 0xFF) {
                    dst[codePos] = (byte) code;
                    codePos = w++;
                    code = 1;
                }
            }
        }
        dst[codePos] = (byte) code;
        dst[w++] = 0;
        return w - dstOff;
    }
}
