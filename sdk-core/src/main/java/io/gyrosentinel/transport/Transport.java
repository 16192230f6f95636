package io.gyrosentinel.transport;

/**
 * A link to one device that carries whole protocol envelopes (encoded {@code Envelope} bytes,
 * without framing). Message-based links (MQTT) send one envelope per message; byte-stream links
 * (serial, TCP, pipes) frame them — extend {@link StreamTransport} and framing, resynchronisation
 * and reconnects are done for you.
 *
 * <p>Implementations must be thread-safe for {@link #send}, deliver frames to the listener from
 * one thread at a time and in order, and make {@link #close()} idempotent.
 */
public interface Transport extends AutoCloseable {

    /** Receives what the link delivers. Called on the transport's I/O thread: return quickly. */
    interface Listener {
        /**
         * One envelope arrived. The array may be reused after the call returns: copy what you keep.
         *
         * @param buf the buffer holding the envelope
         * @param off offset of the envelope's first byte in {@code buf}
         * @param len length of the envelope, bytes
         */
        void onFrame(byte[] buf, int off, int len);

        /**
         * The link is up (first connect or after a reconnect).
         *
         * @param reconnect {@code false} for the first connect, {@code true} after a reconnect
         */
        default void onConnected(boolean reconnect) {
        }

        /**
         * The link went down.
         *
         * @param cause         why, or {@code null} when the link was closed normally
         * @param willReconnect true when the transport is trying to reconnect by itself
         */
        default void onDisconnected(Throwable cause, boolean willReconnect) {
        }
    }

    /**
     * Connects (blocking until the link is up or fails) and starts delivering frames to
     * {@code listener}. Called once.
     *
     * @param listener receives frames and link state changes
     * @throws io.gyrosentinel.GyroSentinelException with {@code TRANSPORT} when the link cannot be opened
     */
    void start(Listener listener);

    /**
     * Sends one envelope.
     *
     * @param envelope the encoded envelope, without framing
     * @throws io.gyrosentinel.GyroSentinelException with {@code CONNECTION_CLOSED} when the link is down
     */
    void send(byte[] envelope);

    /** {@return a short human-readable description, e.g. {@code serial:/dev/ttyUSB0@921600}} */
    String describe();

    /** {@return the statistics of the link so far; {@link TransportStats#EMPTY} when the transport keeps none} */
    default TransportStats stats() {
        return TransportStats.EMPTY;
    }

    /** Closes the link and stops its threads. Idempotent. */
    @Override
    void close();
}
