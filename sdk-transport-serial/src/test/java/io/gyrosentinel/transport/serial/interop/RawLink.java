package io.gyrosentinel.transport.serial.interop;

import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.Transports;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire, bare: envelopes in, envelopes out, over a real transport (here a PTY), with no client logic between the
 * test and the device. The device contract is written at this level so that each assertion is about the device.
 */
final class RawLink implements AutoCloseable {
    private final Transport transport;
    private final BlockingQueue<Envelope> in = new LinkedBlockingQueue<>();
    private int nextId = 1;

    RawLink(String uri) {
        transport = Transports.open(uri);
        transport.start((buf, off, len) -> {
            try {
                in.add(Envelope.parseFrom(Arrays.copyOfRange(buf, off, off + len)));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                fail("the device sent an undecodable envelope: " + e.getMessage());
            }
        });
    }

    /** Sends a request (protocol 1, the next request id) and returns the answer with that id. */
    Envelope request(Envelope.Builder body) {
        return request(body.setProtocolVersion(1).setRequestId(nextId++).build());
    }

    /** Sends {@code env} exactly as built and returns the answer with its request id. */
    Envelope request(Envelope env) {
        send(env);
        return answerTo(env.getRequestId());
    }

    void send(Envelope env) {
        transport.send(env.toByteArray());
    }

    int nextRequestId() {
        return nextId++;
    }

    /** The next envelope carrying {@code requestId}; unsolicited ones before it are kept for {@link #next}. */
    Envelope answerTo(int requestId) {
        List<Envelope> skipped = new ArrayList<>();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                Envelope e = in.poll(100, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                if (e.getRequestId() == requestId && requestId != 0) {
                    return e;
                }
                skipped.add(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            List<Envelope> rest = new ArrayList<>();
            in.drainTo(rest);
            in.addAll(skipped);
            in.addAll(rest);
        }
        throw new AssertionError("no answer to request " + requestId + " within 10 s");
    }

    /** The next envelope of any kind (batches, statuses, results, events), within 10 s. */
    Envelope next() {
        try {
            Envelope e = in.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "nothing from the device within 10 s");
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next envelope whose body is {@code body}, skipping others. */
    Envelope next(Envelope.BodyCase body) {
        for (int i = 0; i < 100_000; i++) {
            Envelope e = next();
            if (e.getBodyCase() == body) {
                return e;
            }
        }
        throw new AssertionError("no " + body);
    }

    /** Asserts an Error answer with this code, field and message. */
    static void assertError(Envelope e, io.gyrosentinel.internal.wire.v1.ErrorCode code, String field,
                            String message) {
        assertEquals(Envelope.BodyCase.ERROR, e.getBodyCase(), () -> "expected an Error, got " + e);
        assertEquals(code, e.getError().getCode(), () -> e.getError().toString());
        assertEquals(field, e.getError().getField(), () -> e.getError().toString());
        assertEquals(message, e.getError().getMessage(), () -> e.getError().toString());
    }

    void drain() {
        in.clear();
    }

    @Override
    public void close() {
        transport.close();
    }
}
