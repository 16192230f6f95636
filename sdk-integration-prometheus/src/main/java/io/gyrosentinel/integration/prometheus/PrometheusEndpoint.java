package io.gyrosentinel.integration.prometheus;

import com.sun.net.httpserver.HttpServer;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The scrape endpoint: {@code GET /metrics} answers the registry in Prometheus' text exposition format (JDK
 * {@code HttpServer}, one daemon thread). Anything else is 404; a method other than GET or HEAD is 405.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** The exposition format's content type. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves {@code registry} on every interface at {@code port}.
     *
     * @param registry the registry to scrape
     * @param port     TCP port, 0 for any free one ({@link #port()} tells which)
     * @return the running endpoint
     * @throws GyroSentinelException {@code TRANSPORT} when the port cannot be bound (in use, no permission)
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) {
        return start(registry, new InetSocketAddress(port));
    }

    /**
     * Serves {@code registry} at {@code address}.
     *
     * @param registry the registry to scrape
     * @param address  where to listen, e.g. loopback only
     * @return the running endpoint
     * @throws GyroSentinelException {@code TRANSPORT} when the address cannot be bound
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, InetSocketAddress address) {
        Objects.requireNonNull(registry, "registry");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.TRANSPORT, "cannot serve metrics at " + address + ": "
                    + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                if (method.equals("HEAD")) {
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gs-prometheus-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new PrometheusEndpoint(server, executor);
    }

    /** {@return the port the endpoint listens on} */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving (waits up to one second for a scrape in progress). */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
