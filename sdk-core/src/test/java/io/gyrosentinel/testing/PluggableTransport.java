package io.gyrosentinel.testing;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportStats;

import java.io.IOException;

/**
 * A transport whose cable a test can pull and plug back: {@link #unplug()} tells the client the link is lost (and
 * drops what the device sends meanwhile), {@link #plug()} tells it the link is back, as a serial or MQTT transport
 * would after a reconnect.
 */
public final class PluggableTransport implements Transport {
    private final Transport inner;
    private volatile Listener listener;
    private volatile boolean plugged = true;

    public PluggableTransport(Transport inner) {
        this.inner = inner;
    }

    @Override
    public void start(Listener l) {
        this.listener = l;
        inner.start(new Listener() {
            @Override
            public void onFrame(byte[] buf, int off, int len) {
                if (plugged) {
                    l.onFrame(buf, off, len);
                }
            }

            @Override
            public void onConnected(boolean reconnect) {
                l.onConnected(reconnect);
            }

            @Override
            public void onDisconnected(Throwable cause, boolean willReconnect) {
                l.onDisconnected(cause, willReconnect);
            }
        });
    }

    /** The cable is pulled: the client sees the link lost, with a reconnect to come. */
    public void unplug() {
        plugged = false;
        listener.onDisconnected(new IOException("cable pulled by the test"), true);
    }

    /** The cable is back: the client sees a reconnect. */
    public void plug() {
        plugged = true;
        listener.onConnected(true);
    }

    @Override
    public void send(byte[] envelope) {
        if (!plugged) {
            throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "cable pulled by the test");
        }
        inner.send(envelope);
    }

    @Override
    public String describe() {
        return "pluggable " + inner.describe();
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
