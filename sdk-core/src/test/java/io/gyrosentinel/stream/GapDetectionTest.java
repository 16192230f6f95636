package io.gyrosentinel.stream;

import io.gyrosentinel.Gap;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.internal.stream.DefaultGyroStream;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GapDetectionTest {
    static final long PERIOD = 1_000_000; // 1 kHz

    private static DefaultGyroStream stream(int pollCapacity) {
        return new DefaultGyroStream(SensorConfig.defaults(), new float[] {1, 1, 1}, Executors.newCachedThreadPool(),
                pollCapacity, null);
    }

    private static void batch(DefaultGyroStream s, long seq, int count) {
        s.onBatch(seq, 1000 + seq * count * PERIOD / 1000, PERIOD, count, new short[count * 3]);
    }

    @Test
    void aSequenceJumpBecomesAGapWithTheMissingSampleCount() throws Exception {
        DefaultGyroStream s = stream(100);
        List<Gap> gaps = new ArrayList<>();
        CountDownLatch one = new CountDownLatch(1);
        s.gaps().subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription x) { x.request(Long.MAX_VALUE); }
            public void onNext(Gap g) { gaps.add(g); one.countDown(); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        s.poll(Duration.ZERO);
        batch(s, 0, 10);
        batch(s, 1, 10);
        batch(s, 4, 10); // batches 2 and 3 lost
        assertTrue(one.await(5, TimeUnit.SECONDS));
        assertEquals(new Gap(20, 20, 2, Gap.Cause.SEQUENCE), gaps.get(0));
        SampleBlock a = s.poll(Duration.ofSeconds(1));
        SampleBlock b = s.poll(Duration.ofSeconds(1));
        SampleBlock c = s.poll(Duration.ofSeconds(1));
        assertEquals(0, a.firstSample());
        assertEquals(10, b.firstSample());
        assertEquals(40, c.firstSample());
        assertEquals(20, c.missingBefore());
        assertEquals(1, s.stats().gaps());
        assertEquals(20, s.stats().missingSamples());
    }

    @Test
    void sequenceWrapAroundIsNotAGap() {
        DefaultGyroStream s = stream(100);
        s.poll(Duration.ZERO);
        s.onBatch(0xFFFFFFFFL, 1000, PERIOD, 10, new short[30]);
        s.onBatch(0, 1010, PERIOD, 10, new short[30]);
        assertEquals(0, s.stats().gaps());
    }

    @Test
    void aSlowPollerLosesBlocksVisiblyNotSilently() {
        DefaultGyroStream s = stream(2);
        s.poll(Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            batch(s, i, 10);
        }
        SampleBlock a = s.poll(Duration.ZERO);
        SampleBlock b = s.poll(Duration.ZERO);
        assertNull(s.poll(Duration.ZERO));
        assertEquals(0, a.missingBefore());
        assertEquals(3, s.stats().droppedBlocks());
        batch(s, 5, 10);
        SampleBlock c = s.poll(Duration.ZERO);
        assertEquals(30, c.missingBefore(), "the next block carries the 3 dropped blocks");
        assertEquals(50, c.firstSample());
        assertEquals(10, b.firstSample());
    }

    @Test
    void windowsNeverSpanAGap() {
        List<Window> ws = new ArrayList<>();
        WindowAssembler a = new WindowAssembler(20, 5, ws::add);
        float[] sc = {1};
        a.accept(new SampleBlock(0, 0, 0, PERIOD, 30, 1, new short[30], sc, 0));
        assertEquals(3, ws.size()); // starts 0, 5, 10
        a.accept(new SampleBlock(2, 40, 40_000, PERIOD, 30, 1, new short[30], sc, 10));
        // after the gap a new run starts at 40: windows 40, 45, 50
        assertEquals(6, ws.size());
        assertEquals(40, ws.get(3).startSample());
        assertEquals(1, a.restarts());
    }

    @Test
    void windowValuesAreInOrderAcrossBlocks() {
        List<Window> ws = new ArrayList<>();
        WindowAssembler a = new WindowAssembler(4, 2, ws::add);
        float[] sc = {0.5f, 2f};
        short[] raw1 = {0, 0, 1, 10, 2, 20};
        short[] raw2 = {3, 30, 4, 40, 5, 50};
        a.accept(new SampleBlock(0, 0, 0, PERIOD, 3, 2, raw1, sc, 0));
        a.accept(new SampleBlock(1, 3, 3000, PERIOD, 3, 2, raw2, sc, 0));
        assertEquals(2, ws.size());
        assertEquals(List.of(0f, 0f, 0.5f, 20f, 1f, 40f, 1.5f, 60f), toList(ws.get(0).values()));
        assertEquals(List.of(1f, 40f, 1.5f, 60f, 2f, 80f, 2.5f, 100f), toList(ws.get(1).values()));
        assertEquals(2, ws.get(1).startSample());
        assertEquals(2000, ws.get(1).startTimestampMicros());
    }

    @Test
    void aClockJumpWithContiguousSequenceIsADeviceOverflowGap() {
        DefaultGyroStream s = stream(100);
        s.poll(Duration.ZERO);
        s.onBatch(0, 0, PERIOD, 10, new short[30]);
        s.onBatch(1, 10_000, PERIOD, 10, new short[30]);
        s.onBatch(2, 70_000, PERIOD, 10, new short[30]); // 50 samples lost on the device
        s.poll(Duration.ZERO);
        s.poll(Duration.ZERO);
        SampleBlock c = s.poll(Duration.ZERO);
        assertEquals(50, c.missingBefore());
        assertEquals(70, c.firstSample());
        assertEquals(1, s.stats().gaps());
    }

    @Test
    void aDuplicateBatchIsDroppedNotAppended() {
        DefaultGyroStream s = stream(100);
        s.poll(Duration.ZERO);
        batch(s, 0, 10);
        batch(s, 1, 10);
        batch(s, 1, 10); // redelivered (MQTT QoS 1)
        batch(s, 2, 10);
        assertEquals(3, s.stats().blocks());
        assertEquals(0, s.stats().gaps());
        assertEquals(1, s.duplicates());
    }

    @Test
    void aSubscriberThatFallsBehindSeesTheLossAsMissingSamples() throws Exception {
        DefaultGyroStream s = new DefaultGyroStream(SensorConfig.defaults(), new float[] {1, 1, 1},
                Executors.newCachedThreadPool(), 2, null);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        List<SampleBlock> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        s.subscribe(new Flow.Subscriber<>() {
            Flow.Subscription sub;
            public void onSubscribe(Flow.Subscription x) { sub = x; x.request(1); }
            public void onNext(SampleBlock b) {
                got.add(b);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sub.request(1);
            }
            public void onError(Throwable t) { done.countDown(); }
            public void onComplete() { done.countDown(); }
        });
        for (int i = 0; i < 40_000; i++) { // far more than the subscriber's buffer
            batch(s, i, 10);
        }
        release.countDown();
        s.finish(null);
        assertTrue(done.await(20, TimeUnit.SECONDS));
        long delivered = got.stream().mapToLong(SampleBlock::count).sum();
        long missing = got.stream().mapToLong(SampleBlock::missingBefore).sum();
        assertTrue(delivered < 400_000, "some blocks were dropped: " + delivered);
        SampleBlock last = got.get(got.size() - 1);
        assertEquals(last.endSample(), delivered + missing, "every sample is delivered or reported missing");
    }

    private static List<Float> toList(float[] v) {
        List<Float> l = new ArrayList<>();
        for (float f : v) {
            l.add(f);
        }
        return l;
    }

    @Test
    void aBatchWhoseCountTimesChannelsOverflowsIsDroppedNotCounted() throws Exception {
        // count 1431655766 x 3 channels wraps to 2 in int arithmetic: the 4-byte batch once passed the size check,
        // and the stream counted 1.4 G samples that consumers could not read
        DefaultGyroStream s = stream(100);
        s.poll(Duration.ZERO);
        s.onBatch(0, 1000, PERIOD, 1431655766, new short[2]);
        batch(s, 0, 10);
        SampleBlock b = s.poll(Duration.ofSeconds(1));
        assertEquals(10, b.count());
        assertEquals(0, b.firstSample());
        assertEquals(10, s.stats().samples());
        assertThrows(io.gyrosentinel.GyroSentinelException.class,
                () -> new SampleBlock(0, 0, 0, 1, 1431655766, 3, new short[2], new float[] {1, 1, 1}, 0));
    }
}
