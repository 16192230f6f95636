package io.gyrosentinel.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportStats;

import java.util.function.UnaryOperator;

/** Lets a test see and rewrite every envelope the host sends: a fault injector for the host-to-device path. */
public final class InterceptingTransport implements Transport {
    private final Transport inner;
    private final UnaryOperator<Envelope> onSend;

    public InterceptingTransport(Transport inner, UnaryOperator<Envelope> onSend) {
        this.inner = inner;
        this.onSend = onSend;
    }

    @Override
    public void start(Listener listener) {
        inner.start(listener);
    }

    @Override
    public void send(byte[] envelope) {
        Envelope e;
        try {
            e = Envelope.parseFrom(envelope);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
        inner.send(onSend.apply(e).toByteArray());
    }

    @Override
    public String describe() {
        return "intercepted " + inner.describe();
    }

    @Override
    public TransportStats stats() {
        return inner.stats();
    }

    @Override
    public void close() {
        inner.close();
    }
}
