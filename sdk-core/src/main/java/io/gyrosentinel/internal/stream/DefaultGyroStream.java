package io.gyrosentinel.internal.stream;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.Gap;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.stream.GyroStreamStats;
import io.gyrosentinel.stream.Window;
import io.gyrosentinel.stream.WindowAssembler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * The stream engine shared by live and replayed streams. One producer thread (the I/O thread)
 * calls {@link #onBatch}; every consumer (subscriber, window publisher, collector, poller) is a
 * tap with its own buffer, served on the executor.
 *
 * <p>A stream is hot: the device starts sending as soon as it exists. So that consumers
 * attached right after {@code stream()} returns miss nothing, the stream keeps its first
 * {@value #HISTORY_LIMIT} items and replays them to each new consumer; after that a late
 * consumer starts with live data.
 */
public class DefaultGyroStream implements GyroStream {
    private static final Logger log = LoggerFactory.getLogger(DefaultGyroStream.class);
    static final int HISTORY_LIMIT = 8192;
    /** Per-consumer buffer; larger than the history so a late consumer's replay never overflows it. */
    private static final int PUBLISHER_BUFFER = 16384;

    private final SensorConfig config;
    private final float[] scale;
    private final int channels;
    private final Executor executor;
    private final int pollCapacity;
    private final Runnable onClose;
    private final Object lock = new Object();
    private final List<Tap> taps = new ArrayList<>();
    private List<Object> history = new ArrayList<>();
    private volatile PollTap pollTap;
    private volatile boolean done;

    // producer-side state (one thread)
    private long expectedSeq;      // a live stream's batches start at sequence 0
    private long expectedTs = -1;  // unknown until the first batch
    private long lastArrivalNanos;
    private long nextSample;
    private boolean reconnected;
    private long lastDeviceDropped;

    private volatile long blockCount;
    private volatile long sampleCount;
    private volatile long gapCount;
    private volatile long missingSamples;
    private volatile long droppedBlocks;
    private volatile long deviceDropped;
    private volatile long duplicates;

    /** A consumer. {@code accept} is called under the stream lock and must not block. */
    private interface Tap {
        void accept(Object item);

        void end(Throwable error);
    }

    public DefaultGyroStream(SensorConfig config, float[] scale, Executor executor, int pollCapacity, Runnable onClose) {
        this.config = config;
        this.scale = scale.clone();
        this.channels = scale.length;
        this.executor = executor;
        this.pollCapacity = Math.max(2, pollCapacity);
        this.onClose = onClose;
    }

    // ------------------------------------------------------------------ producer

    /** Called by the producer for every batch, in arrival order. */
    public void onBatch(long sequence, long timestampMicros, long periodNanos, int count, short[] raw) {
        if (done) {
            return;
        }
        if (count <= 0 || raw.length != (long) count * channels) { // long: a hostile count must not wrap
            log.warn("dropping malformed batch seq={}: count={} values={} channels={}", sequence, count, raw.length,
                    channels);
            return;
        }
        long now = System.nanoTime();
        long missing = 0;
        if (expectedTs < 0) {
            // the first batch of a live stream is sequence 0; anything later means lost batches
            long lost = sequence & 0xFFFFFFFFL;
            if (lost > 0 && lost < Integer.MAX_VALUE) {
                missing = lost * count;
                emit(new Gap(nextSample, missing, (int) lost, Gap.Cause.SEQUENCE));
            }
        } else {
            long seqDelta = (sequence - expectedSeq) & 0xFFFFFFFFL;
            boolean backwards = seqDelta > Integer.MAX_VALUE;
            // samples between the end of the previous batch and this one, by the sensor clock
            long byClock = periodNanos > 0 ? Math.round((timestampMicros - expectedTs) * 1000.0 / periodNanos) : 0;
            if (backwards && !reconnected && byClock < 0) {
                // behind in sequence and in time: a duplicate (MQTT QoS 1 may redeliver) or stale
                duplicates++;
                log.debug("dropping duplicate or stale batch seq={} (expected {})", sequence, expectedSeq);
                return;
            }
            if (reconnected) {
                if (byClock >= 0) {
                    missing = byClock;
                } else if (periodNanos > 0 && lastArrivalNanos != 0) {
                    // the device clock restarted (reboot): estimate from the host clock
                    missing = Math.max(0, Math.round((now - lastArrivalNanos) / (double) periodNanos) - count);
                }
                emit(new Gap(nextSample, missing, 0, Gap.Cause.RECONNECT));
            } else if (seqDelta != 0 && !backwards) {
                // batches lost on the link: the clock says how many samples, the sequence how many batches
                missing = byClock > 0 ? byClock : seqDelta * count;
                emit(new Gap(nextSample, missing, (int) seqDelta, Gap.Cause.SEQUENCE));
            } else if (byClock >= 1) {
                // contiguous sequence (or a stream the device restarted) but the clock jumped: the
                // device dropped samples and closed the batch early (its buffer overflowed)
                missing = byClock;
                emit(new Gap(nextSample, missing, 0, backwards ? Gap.Cause.RECONNECT : Gap.Cause.DEVICE_OVERFLOW));
            }
        }
        reconnected = false;
        SampleBlock block = new SampleBlock(sequence, nextSample + missing, timestampMicros, periodNanos, count,
                channels, raw, scale, missing);
        nextSample += missing + count;
        expectedSeq = (sequence + 1) & 0xFFFFFFFFL;
        expectedTs = timestampMicros + (count * periodNanos) / 1000;
        lastArrivalNanos = now;
        blockCount++;
        sampleCount += count;
        emit(block);
    }

    /**
     * The device reported its cumulative count (since its last StartStreaming) of samples it
     * dropped itself. Counted in the statistics only: the gap itself shows in the timestamps of
     * the next batch and is reported there, at the right sample index.
     */
    public void onDeviceDropped(long totalDropped) {
        long delta = totalDropped - lastDeviceDropped;
        if (delta > 0) {
            lastDeviceDropped = totalDropped;
            deviceDropped += delta;
        }
    }

    /** The link came back: the next batch may restart its sequence numbers. */
    public void onReconnect() {
        lastDeviceDropped = 0; // the device counts again from its new StartStreaming
        if (expectedTs >= 0) {
            reconnected = true;
        }
    }

    private void emit(Object item) {
        if (item instanceof Gap g) {
            gapCount++;
            missingSamples += g.missingSamples();
            log.debug("gap: {}", g);
        }
        synchronized (lock) {
            if (history != null) {
                history.add(item);
                if (history.size() > HISTORY_LIMIT) {
                    history = null; // consumers attaching from now on start with live data
                }
            }
            for (Tap t : taps) {
                t.accept(item);
            }
        }
    }

    private void attach(Tap t) {
        synchronized (lock) {
            if (history != null) {
                for (Object item : history) {
                    t.accept(item);
                }
            }
            if (done) {
                t.end(null);
            } else {
                taps.add(t);
            }
        }
    }

    /** The source ended; {@code error} is null for a normal end. */
    public void finish(Throwable error) {
        synchronized (lock) {
            if (done) {
                return;
            }
            done = true;
            for (Tap t : taps) {
                t.end(error);
            }
            taps.clear();
        }
    }

    /** One drop handler for every offer: offers happen per block and consumer, on the I/O thread. */
    private final BiPredicate<Flow.Subscriber<?>, Object> onDrop = (s, item) -> {
        droppedBlocks++;
        return false;
    };

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T> BiPredicate<Flow.Subscriber<? super T>, T> dropCounter() {
        return (BiPredicate) onDrop;
    }

    // ------------------------------------------------------------------ consumers

    @Override
    public void subscribe(Flow.Subscriber<? super SampleBlock> subscriber) {
        SubmissionPublisher<SampleBlock> pub = new SubmissionPublisher<>(executor, PUBLISHER_BUFFER);
        pub.subscribe(subscriber);
        attach(new PublisherTap<>(pub, SampleBlock.class));
    }

    @Override
    public Flow.Publisher<Gap> gaps() {
        return subscriber -> {
            SubmissionPublisher<Gap> pub = new SubmissionPublisher<>(executor, PUBLISHER_BUFFER);
            pub.subscribe(subscriber);
            attach(new PublisherTap<>(pub, Gap.class));
        };
    }

    @Override
    public Flow.Publisher<Window> windows(int size, int stride) {
        new WindowAssembler(size, stride, w -> { }); // validates the arguments now
        return subscriber -> {
            SubmissionPublisher<Window> pub = new SubmissionPublisher<>(executor, PUBLISHER_BUFFER);
            pub.subscribe(subscriber);
            WindowAssembler a = new WindowAssembler(size, stride, w -> pub.offer(w, dropCounter()));
            attach(new Tap() {
                public void accept(Object item) {
                    if (item instanceof SampleBlock b) {
                        a.accept(b);
                    }
                }

                public void end(Throwable error) {
                    if (error == null) {
                        pub.close();
                    } else {
                        pub.closeExceptionally(error);
                    }
                }
            });
        };
    }

    @Override
    public AutoCloseable collectTo(Collector collector) {
        SubmissionPublisher<Object> pub = new SubmissionPublisher<>(executor, PUBLISHER_BUFFER);
        CollectorSubscriber s = new CollectorSubscriber(collector);
        pub.subscribe(s);
        attach(new PublisherTap<>(pub, Object.class));
        return () -> {
            if (done) {
                s.awaitClosed(Duration.ofSeconds(30)); // drain what the stream delivered before it ended
            }
            s.cancel();
        };
    }

    @Override
    public SampleBlock poll(Duration timeout) {
        PollTap p = pollTap;
        if (p == null) {
            synchronized (lock) {
                p = pollTap;
                if (p == null) {
                    p = new PollTap(pollCapacity);
                    pollTap = p;
                    attach(p);
                }
            }
        }
        return p.poll(timeout);
    }

    /**
     * Feeds one consumer. When the consumer falls behind and its buffer is full, the block is
     * dropped and the samples it carried are added to the next delivered block's
     * {@link SampleBlock#missingBefore()}: a slow consumer sees a gap, never a silent hole.
     */
    private final class PublisherTap<T> implements Tap {
        private final SubmissionPublisher<T> pub;
        private final Class<T> type;
        private long pendingMissing;

        PublisherTap(SubmissionPublisher<T> pub, Class<T> type) {
            this.pub = pub;
            this.type = type;
        }

        @Override
        public void accept(Object item) {
            if (!type.isInstance(item)) {
                return;
            }
            Object out = item;
            if (item instanceof SampleBlock b && pendingMissing > 0) {
                out = withMissing(b, b.missingBefore() + pendingMissing);
            }
            int lag = pub.offer(type.cast(out), dropCounter());
            if (out instanceof SampleBlock b) {
                pendingMissing = lag < 0 ? b.missingBefore() + b.count() : 0;
            }
        }

        @Override
        public void end(Throwable error) {
            if (error == null) {
                pub.close();
            } else {
                pub.closeExceptionally(error);
            }
        }
    }

    /** Bounded buffer for {@link #poll}; overflow drops the newest block and tells the next one. */
    private final class PollTap implements Tap {
        private final ArrayDeque<SampleBlock> q = new ArrayDeque<>();
        private final int capacity;
        private long pendingMissing;
        private boolean ended;

        PollTap(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public synchronized void accept(Object item) {
            if (!(item instanceof SampleBlock block)) {
                return;
            }
            if (q.size() >= capacity) {
                pendingMissing += block.missingBefore() + block.count();
                droppedBlocks++;
                gapCount++;
                missingSamples += block.count();
                return;
            }
            SampleBlock b = block;
            if (pendingMissing > 0) {
                b = withMissing(block, block.missingBefore() + pendingMissing);
                pendingMissing = 0;
            }
            q.add(b);
            notifyAll();
        }

        @Override
        public synchronized void end(Throwable error) {
            ended = true;
            notifyAll();
        }

        synchronized SampleBlock poll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (q.isEmpty() && !ended) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GyroSentinelException(ErrorCode.CANCELLED, "interrupted while polling the stream", e);
            }
            return q.poll();
        }
    }

    private static SampleBlock withMissing(SampleBlock b, long missing) {
        return new SampleBlock(b.sequence(), b.firstSample(), b.timestampMicros(), b.periodNanos(), b.count(),
                b.channels(), b.raw(), b.scale(), missing);
    }

    /** Batches dropped because they repeated or preceded data already delivered. */
    public long duplicates() {
        return duplicates;
    }

    // ------------------------------------------------------------------ the rest

    @Override
    public SensorConfig config() {
        return config;
    }

    @Override
    public float[] scale() {
        return scale.clone();
    }

    @Override
    public GyroStreamStats stats() {
        return new GyroStreamStats(blockCount, sampleCount, gapCount, missingSamples, droppedBlocks, deviceDropped);
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        try {
            if (onClose != null) {
                onClose.run();
            }
        } finally {
            finish(null);
        }
    }

    /** Feeds a collector in order and closes it at the end. */
    private static final class CollectorSubscriber implements Flow.Subscriber<Object> {
        private final Collector collector;
        private final CountDownLatch closedLatch = new CountDownLatch(1);
        private volatile Flow.Subscription subscription;
        private volatile boolean closed;

        CollectorSubscriber(Collector collector) {
            this.collector = collector;
        }

        void awaitClosed(Duration timeout) {
            try {
                closedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(Object item) {
            // synchronized with closeCollector(): a handle closed from another thread waits for
            // the call in progress, so the collector never sees two calls at once
            if (closed) {
                return;
            }
            try {
                if (item instanceof SampleBlock b) {
                    collector.onBlock(b);
                } else if (item instanceof Gap g) {
                    collector.onGap(g);
                }
            } catch (RuntimeException e) {
                log.error("collector {} failed; detaching it", collector, e);
                cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            closeCollector();
        }

        @Override
        public void onComplete() {
            closeCollector();
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            closeCollector();
        }

        private synchronized void closeCollector() {
            if (!closed) {
                closed = true;
                try {
                    collector.close();
                } catch (RuntimeException e) {
                    log.error("collector {} failed to close", collector, e);
                } finally {
                    closedLatch.countDown();
                }
            }
        }
    }
}
