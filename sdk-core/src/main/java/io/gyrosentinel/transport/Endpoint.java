package io.gyrosentinel.transport;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A parsed device URI: {@code scheme:path?key=value&...} or {@code scheme://host:port/path?...}.
 * Examples: {@code sim:}, {@code sim:fan?rpm=1500&seed=7}, {@code serial:/dev/ttyUSB0?baud=921600},
 * {@code mqtt://broker:1883/pump-7}.
 */
public final class Endpoint {
    private final String uri;
    private final String scheme;
    private final String host;
    private final int port;
    private final String path;
    private final Map<String, String> params;

    private Endpoint(String uri, String scheme, String host, int port, String path, Map<String, String> params) {
        this.uri = uri;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        this.params = Collections.unmodifiableMap(params);
    }

    /**
     * Parses a URI.
     *
     * @throws GyroSentinelException with {@code BAD_URI} saying what is wrong
     */
    public static Endpoint parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI is empty; examples: sim:, "
                    + "serial:/dev/ttyUSB0, mqtt://localhost:1883/device-1");
        }
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + uri
                    + "' has no scheme; examples: sim:, serial:/dev/ttyUSB0, mqtt://localhost:1883/device-1");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + uri + "' has an invalid scheme '"
                    + scheme + "'");
        }
        String rest = uri.substring(colon + 1);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String host = null;
        int port = -1;
        String path = rest;
        if (rest.startsWith("//")) {
            String authority = rest.substring(2);
            int slash = authority.indexOf('/');
            path = slash >= 0 ? authority.substring(slash) : "";
            authority = slash >= 0 ? authority.substring(0, slash) : authority;
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                authority = authority.substring(at + 1); // credentials belong in params, never logged
            }
            int pc = authority.lastIndexOf(':');
            if (pc >= 0 && !authority.endsWith("]")) {
                host = authority.substring(0, pc);
                try {
                    port = Integer.parseInt(authority.substring(pc + 1));
                } catch (NumberFormatException e) {
                    throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + uri + "': port '"
                            + authority.substring(pc + 1) + "' is not a number");
                }
                if (port < 1 || port > 65535) {
                    throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + uri + "': port " + port
                            + " is out of range 1..65535");
                }
            } else {
                host = authority;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String kv : query.split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = decode(eq >= 0 ? kv.substring(0, eq) : kv);
                String v = eq >= 0 ? decode(kv.substring(eq + 1)) : "";
                params.put(k, v);
            }
        }
        return new Endpoint(uri, scheme, host, port, path, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public String uri() { return uri; }
    public String scheme() { return scheme; }
    /** Host for {@code scheme://host...} URIs, else {@code null}. */
    public String host() { return host; }
    /** Port, or -1 when absent. */
    public int port() { return port; }
    public int port(int defaultPort) { return port > 0 ? port : defaultPort; }
    /** Path: after the authority for hierarchical URIs, after the colon otherwise. */
    public String path() { return path; }
    public Map<String, String> params() { return params; }

    public String param(String name, String defaultValue) {
        return params.getOrDefault(name, defaultValue);
    }

    public long longParam(String name, long defaultValue) {
        String v = params.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw badParam(name, v, "an integer");
        }
    }

    public int intParam(String name, int defaultValue) {
        long v = longParam(name, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw badParam(name, String.valueOf(v), "a 32-bit integer");
        }
        return (int) v;
    }

    public double doubleParam(String name, double defaultValue) {
        String v = params.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw badParam(name, v, "a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw badParam(name, v, "a number");
        }
    }

    public boolean boolParam(String name, boolean defaultValue) {
        String v = params.get(name);
        if (v == null) {
            return defaultValue;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes", "on": return true;
            case "false", "0", "no", "off": return false;
            default: throw badParam(name, v, "true or false");
        }
    }

    /** Fails when the URI carries a parameter outside {@code known}: typos must not pass silently. */
    public void requireKnownParams(Set<String> known) {
        for (String k : params.keySet()) {
            if (!known.contains(k)) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + redacted() + "': unknown parameter '"
                        + k + "'; known parameters: " + new java.util.TreeSet<>(known), k, null);
            }
        }
    }

    private GyroSentinelException badParam(String name, String value, String expected) {
        return new GyroSentinelException(ErrorCode.BAD_URI, "device URI '" + redacted() + "': parameter " + name + "='"
                + value + "' must be " + expected, name, null);
    }

    /** The URI with passwords removed, for logs and messages. */
    public String redacted() {
        return uri.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    @Override
    public String toString() {
        return redacted();
    }
}
