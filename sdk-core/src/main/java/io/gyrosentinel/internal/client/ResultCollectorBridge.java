package io.gyrosentinel.internal.client;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.collect.Collector;

import java.util.concurrent.Flow;

/** Feeds results and events into one collector; serialises the two sources. */
final class ResultCollectorBridge implements AutoCloseable {
    private final Collector collector;
    private final Object lock = new Object();
    private volatile boolean closed;
    private volatile Flow.Subscription rs;
    private volatile Flow.Subscription es;
    private int completed;

    ResultCollectorBridge(Collector collector) {
        this.collector = collector;
    }

    Flow.Subscriber<InferenceResult> results() {
        return new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { rs = s; s.request(Long.MAX_VALUE); }
            public void onNext(InferenceResult r) { synchronized (lock) { if (!closed) collector.onResult(r); } }
            public void onError(Throwable t) { done(); }
            public void onComplete() { done(); }
        };
    }

    Flow.Subscriber<AnomalyEvent> events() {
        return new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { es = s; s.request(Long.MAX_VALUE); }
            public void onNext(AnomalyEvent e) { synchronized (lock) { if (!closed) collector.onEvent(e); } }
            public void onError(Throwable t) { done(); }
            public void onComplete() { done(); }
        };
    }

    private void done() {
        synchronized (lock) {
            if (++completed == 2) {
                close();
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (rs != null) rs.cancel();
        if (es != null) es.cancel();
        collector.close();
    }
}
