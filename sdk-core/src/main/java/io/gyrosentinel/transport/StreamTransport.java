package io.gyrosentinel.transport;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.internal.framing.FrameCodec;
import io.gyrosentinel.internal.framing.FrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A transport over any byte stream (serial port, TCP socket, pipe): frames envelopes with
 * COBS + CRC-32 (docs/protocol.md), drops and counts corrupted frames, and reconnects with
 * exponential backoff when the stream breaks. Subclass it or give it a {@link Connector}.
 */
public class StreamTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(StreamTransport.class);

    /** Opens the byte stream; called again for every reconnect. */
    @FunctionalInterface
    public interface Connector {
        /**
         * Opens the byte stream.
         *
         * @return the open stream
         * @throws IOException when it cannot be opened (at start this fails the transport, on a reconnect it is
         *         retried)
         */
        Connection connect() throws IOException;
    }

    /** An open byte stream. Closing it must unblock a pending read. */
    public interface Connection extends Closeable {
        /** {@return the stream the device's bytes are read from} */
        InputStream in();

        /** {@return the stream the frames are written to} */
        OutputStream out();

        /**
         * A connection over two streams and the resource that owns them (e.g. a socket); closing it closes the
         * resource, then the streams.
         *
         * @param in       the input stream
         * @param out      the output stream
         * @param resource what to close first, so that a blocked read returns
         * @return the connection
         */
        static Connection of(InputStream in, OutputStream out, Closeable resource) {
            return new Connection() {
                public InputStream in() { return in; }
                public OutputStream out() { return out; }
                public void close() throws IOException {
                    try {
                        resource.close();
                    } finally {
                        in.close();
                        out.close();
                    }
                }
            };
        }
    }

    /**
     * How a stream transport reconnects.
     *
     * @param reconnect      reconnect by itself after the stream breaks
     * @param initialBackoff first wait before a reconnect attempt
     * @param maxBackoff     longest wait between attempts (the wait doubles after each failure)
     */
    public record Options(boolean reconnect, Duration initialBackoff, Duration maxBackoff) {
        /** {@return reconnect, first after 100 ms, then doubling up to 5 s between attempts} */
        public static Options defaults() {
            return new Options(true, Duration.ofMillis(100), Duration.ofSeconds(5));
        }

        /**
         * Reads {@code reconnect=true|false} and {@code backoffMs}/{@code maxBackoffMs} from the URI.
         *
         * Absent parameters keep the {@link #defaults()}.
         *
         * @param e the endpoint
         * @return the options
         * @throws GyroSentinelException {@link ErrorCode#BAD_URI} when a value is malformed
         */
        public static Options fromEndpoint(Endpoint e) {
            return new Options(e.boolParam("reconnect", true), Duration.ofMillis(e.longParam("backoffMs", 100)),
                    Duration.ofMillis(e.longParam("maxBackoffMs", 5000)));
        }
    }

    private final String name;
    private final Connector connector;
    private final Options options;
    private final Object writeLock = new Object();
    private final byte[] writeBuf = new byte[FrameCodec.MAX_FRAME];
    private final CRC32 writeCrc = new CRC32();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private volatile Connection connection;
    private volatile boolean closed;
    private volatile FrameDecoder decoder;
    private volatile long reconnects;
    private Thread reader;
    private Listener listener;

    /**
     * A transport that is not connected yet; {@link #start(Listener)} connects it.
     *
     * @param name      a short description for logs and {@link #describe()}, e.g. {@code serial:/dev/ttyUSB0@921600}
     * @param connector opens the byte stream, at start and for every reconnect
     * @param options   how to reconnect
     * @throws NullPointerException when an argument is {@code null}
     */
    public StreamTransport(String name, Connector connector, Options options) {
        this.name = Objects.requireNonNull(name);
        this.connector = Objects.requireNonNull(connector);
        this.options = Objects.requireNonNull(options);
    }

    @Override
    public void start(Listener listener) {
        this.listener = Objects.requireNonNull(listener);
        this.decoder = new FrameDecoder(listener::onFrame);
        try {
            connection = connector.connect();
        } catch (IOException | RuntimeException e) {
            throw new GyroSentinelException(ErrorCode.TRANSPORT, "cannot open " + name + ": " + e.getMessage(), e);
        }
        flushPeer(connection);
        reader = new Thread(this::readLoop, "gs-io-" + name);
        reader.setDaemon(true);
        reader.start();
        listener.onConnected(false);
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        while (!closed) {
            Connection c = connection;
            Throwable cause = null;
            try {
                int n = c.in().read(buf);
                if (n > 0) {
                    decoder.feed(buf, 0, n);
                    continue;
                }
                if (n == 0) {
                    continue;
                }
                cause = new IOException("end of stream");
            } catch (IOException | RuntimeException e) {
                cause = e;
            }
            if (closed) {
                return;
            }
            // The stream broke: whatever partial frame we had is lost.
            decoder.feed(new byte[] {0}, 0, 1);
            closeQuietly(c);
            connection = null;
            log.debug("{}: link lost: {}", name, cause.toString());
            listener.onDisconnected(cause, options.reconnect());
            if (!options.reconnect() || !reconnect()) {
                return;
            }
        }
    }

    private boolean reconnect() {
        long wait = Math.max(1, options.initialBackoff().toMillis());
        while (!closed) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (closed) {
                return false;
            }
            try {
                Connection c = connector.connect();
                synchronized (writeLock) { // close() takes the connection under the same lock
                    if (closed) {
                        closeQuietly(c); // close() ran while we were connecting
                        return false;
                    }
                    connection = c;
                }
                flushPeer(c);
                reconnects++;
                log.info("{}: reconnected", name);
                listener.onConnected(true);
                return true;
            } catch (IOException | RuntimeException e) {
                log.debug("{}: reconnect failed: {}", name, e.toString());
                wait = Math.min(wait * 2, options.maxBackoff().toMillis());
            }
        }
        return false;
    }

    /**
     * Sends a lone 0x00 first on every new connection: it ends whatever partial frame the device
     * still holds from a broken link, so our first real frame is not glued to it (docs/protocol.md §5).
     */
    private void flushPeer(Connection c) {
        synchronized (writeLock) {
            try {
                c.out().write(0);
                c.out().flush();
            } catch (IOException e) {
                log.debug("{}: could not send the leading delimiter: {}", name, e.toString());
            }
        }
    }

    @Override
    public void send(byte[] envelope) {
        if (envelope.length > FrameCodec.MAX_ENVELOPE) {
            throw new GyroSentinelException(ErrorCode.FRAME_TOO_LARGE, "envelope of " + envelope.length
                    + " bytes exceeds the maximum of " + FrameCodec.MAX_ENVELOPE);
        }
        synchronized (writeLock) {
            Connection c = connection;
            if (c == null || closed) {
                throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, name + " is not connected");
            }
            int n = FrameCodec.encode(envelope, 0, envelope.length, writeBuf, 0, writeCrc);
            try {
                c.out().write(writeBuf, 0, n);
                c.out().flush();
            } catch (IOException e) {
                throw new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "write to " + name + " failed: "
                        + e.getMessage(), e);
            }
            framesOut.incrementAndGet();
            bytesOut.addAndGet(n);
        }
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public TransportStats stats() {
        FrameDecoder d = decoder;
        if (d == null) {
            return TransportStats.EMPTY;
        }
        return new TransportStats(d.goodFrames(), framesOut.get(), d.bytes(), bytesOut.get(), d.badFrames(), reconnects);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        Connection c;
        synchronized (writeLock) {
            closed = true;
            c = connection;
        }
        if (c != null) {
            closeQuietly(c);
        }
        Thread r = reader;
        if (r != null && r != Thread.currentThread()) {
            r.interrupt(); // wakes a reconnect backoff sleep
            try {
                r.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken stream may fail again; nothing to do
        }
    }
}
