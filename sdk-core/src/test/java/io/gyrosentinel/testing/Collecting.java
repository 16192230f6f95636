package io.gyrosentinel.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A subscriber that queues everything it receives, for tests. */
public final class Collecting<T> implements Flow.Subscriber<T> {
    private final BlockingQueue<T> items = new LinkedBlockingQueue<>();
    private final List<T> all = java.util.Collections.synchronizedList(new ArrayList<>());

    public static <T> Collecting<T> subscribe(Flow.Publisher<T> p) {
        Collecting<T> c = new Collecting<>();
        p.subscribe(c);
        return c;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T item) {
        all.add(item);
        items.add(item);
    }

    @Override
    public void onError(Throwable t) {
    }

    @Override
    public void onComplete() {
    }

    /** The next item matching {@code p} (skipping others), or null after {@code timeout}. */
    public T await(Predicate<T> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            T t = items.poll(left, TimeUnit.NANOSECONDS);
            if (t != null && p.test(t)) {
                return t;
            }
        }
        return null;
    }

    /** Everything received so far. */
    public List<T> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }
}
