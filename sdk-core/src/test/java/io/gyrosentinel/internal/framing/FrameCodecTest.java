package io.gyrosentinel.internal.framing;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {

    private static List<byte[]> decodeAll(byte[] stream, FrameDecoder[] out) {
        List<byte[]> frames = new ArrayList<>();
        FrameDecoder d = new FrameDecoder((b, o, l) -> frames.add(Arrays.copyOfRange(b, o, o + l)));
        d.feed(stream, 0, stream.length);
        if (out != null) {
            out[0] = d;
        }
        return frames;
    }

    @Test
    void roundTripsEnvelopesOfEverySizeUpToTheMaximum() {
        Random r = new Random(1);
        for (int n : new int[] {1, 2, 253, 254, 255, 256, 508, 509, 1000, FrameCodec.MAX_ENVELOPE}) {
            for (int fill = 0; fill < 3; fill++) {
                byte[] env = new byte[n];
                if (fill == 1) {
                    r.nextBytes(env);
                } else if (fill == 2) {
                    Arrays.fill(env, (byte) 7);
                }
                byte[] frame = FrameCodec.encode(env);
                assertEquals(0, frame[frame.length - 1]);
                for (int i = 0; i < frame.length - 1; i++) {
                    assertTrue(frame[i] != 0, "no zero inside a frame");
                }
                assertTrue(frame.length <= FrameCodec.maxEncodedLength(n));
                List<byte[]> got = decodeAll(frame, null);
                assertEquals(1, got.size(), "size " + n);
                assertArrayEquals(env, got.get(0));
            }
        }
    }

    @Test
    void splitsAStreamFedOneByteAtATime() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        List<byte[]> sent = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 50; i++) {
            byte[] env = new byte[1 + r.nextInt(600)];
            r.nextBytes(env);
            sent.add(env);
            s.writeBytes(FrameCodec.encode(env));
        }
        List<byte[]> got = new ArrayList<>();
        FrameDecoder d = new FrameDecoder((b, o, l) -> got.add(Arrays.copyOfRange(b, o, o + l)));
        for (byte b : s.toByteArray()) {
            d.feed(new byte[] {b}, 0, 1);
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i));
        }
        assertEquals(0, d.badFrames());
    }

    @Test
    void emptyFramesAreIgnoredWithoutCounting() {
        byte[] env = {1, 2, 3};
        byte[] f = FrameCodec.encode(env);
        byte[] s = new byte[f.length + 3];
        System.arraycopy(f, 0, s, 2, f.length);
        FrameDecoder[] d = new FrameDecoder[1];
        List<byte[]> got = decodeAll(s, d);
        assertEquals(1, got.size());
        assertEquals(0, d[0].badFrames());
    }

    @Test
    void corruptedStreamNeverThrowsCountsBadFramesAndKeepsGoodOnes() {
        Random r = new Random(3);
        int frames = 2000;
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream clean = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            byte[] env = new byte[20 + r.nextInt(300)];
            r.nextBytes(env);
            sent.add(env);
            clean.writeBytes(FrameCodec.encode(env));
        }
        byte[] s = clean.toByteArray();
        // 1 % of bytes flipped, some dropped, garbage inserted between frames
        ByteArrayOutputStream dirty = new ByteArrayOutputStream();
        int flips = 0;
        for (byte b : s) {
            double p = r.nextDouble();
            if (p < 0.01) {
                dirty.write(b ^ (1 << r.nextInt(8)));
                flips++;
            } else if (p < 0.012) {
                continue; // dropped
            } else {
                dirty.write(b);
            }
            if (b == 0 && r.nextDouble() < 0.02) {
                byte[] junk = new byte[r.nextInt(40)];
                r.nextBytes(junk);
                dirty.writeBytes(junk);
            }
        }
        assertTrue(flips > s.length / 200);
        FrameDecoder[] d = new FrameDecoder[1];
        List<byte[]> got = decodeAll(dirty.toByteArray(), d);
        // every delivered frame is one that was sent (CRC-32 lets nothing corrupt through)
        java.util.Set<String> sentSet = new java.util.HashSet<>();
        for (byte[] e : sent) {
            sentSet.add(Arrays.toString(e));
        }
        for (byte[] g : got) {
            assertTrue(sentSet.contains(Arrays.toString(g)), "a corrupted frame was delivered");
        }
        // P(a 170-byte frame escapes 1.2 % byte errors) is about 12 %
        assertTrue(got.size() > frames / 12, "good frames survive: " + got.size());
        assertTrue(d[0].badFrames() > 0);
        assertTrue(got.size() + d[0].badFrames() >= frames * 0.9, "every frame is either delivered or counted");
    }

    @Test
    void oversizeFrameIsDroppedAndTheNextFrameSurvives() {
        byte[] big = new byte[FrameCodec.MAX_ENVELOPE + 100];
        Arrays.fill(big, (byte) 5);
        byte[] ok = {9, 8, 7};
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(big); // raw non-zero junk longer than any frame
        s.write(0);
        s.writeBytes(FrameCodec.encode(ok));
        FrameDecoder[] d = new FrameDecoder[1];
        List<byte[]> got = decodeAll(s.toByteArray(), d);
        assertEquals(1, got.size());
        assertArrayEquals(ok, got.get(0));
        assertEquals(1, d[0].oversize());
    }

    @Test
    void tooShortAndBadCrcFramesAreCountedSeparately() {
        byte[] f = FrameCodec.encode(new byte[] {1, 2, 3, 4});
        f[2] ^= 0x40;
        byte[] shortFrame = {3, 1, 1, 0};
        byte[] s = new byte[f.length + shortFrame.length];
        System.arraycopy(f, 0, s, 0, f.length);
        System.arraycopy(shortFrame, 0, s, f.length, shortFrame.length);
        FrameDecoder[] d = new FrameDecoder[1];
        assertEquals(0, decodeAll(s, d).size());
        assertEquals(1, d[0].badCrc());
        assertEquals(1, d[0].tooShort());
    }
}
