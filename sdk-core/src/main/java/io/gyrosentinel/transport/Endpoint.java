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
     * @param uri the device URI; parameter names and values are URL-decoded, user info in the authority is dropped
     * @return the endpoint
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

    /** {@return the URI as given (may hold credentials: log {@link #redacted()} instead)} */
    public String uri() { return uri; }
    /** {@return the scheme, lower case, e.g. {@code serial}} */
    public String scheme() { return scheme; }
    /** {@return the host for {@code scheme://host...} URIs (IPv6 without brackets), else {@code null}} */
    public String host() { return host; }
    /** {@return the port, 1 .. 65535, or -1 when absent} */
    public int port() { return port; }
    /**
     * The port, or a default when the URI has none.
     *
     * @param defaultPort the port to use when absent
     * @return the port
     */
    public int port(int defaultPort) { return port > 0 ? port : defaultPort; }
    /** {@return the path: after the authority for hierarchical URIs, after the colon otherwise; may be empty} */
    public String path() { return path; }
    /** {@return the query parameters, decoded, in URI order (unmodifiable)} */
    public Map<String, String> params() { return params; }

    /**
     * A query parameter as text.
     *
     * @param name         the parameter
     * @param defaultValue returned when absent
     * @return the value (empty for {@code ?name} without {@code =}), or the default
     */
    public String param(String name, String defaultValue) {
        return params.getOrDefault(name, defaultValue);
    }

    /**
     * A query parameter as an integer.
     *
     * @param name         the parameter
     * @param defaultValue returned when absent
     * @return the value
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} (field {@code name}) when it is not an integer
     */
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

    /**
     * A query parameter as a 32-bit integer.
     *
     * @param name         the parameter
     * @param defaultValue returned when absent
     * @return the value
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} (field {@code name}) when it is not a 32-bit integer
     */
    public int intParam(String name, int defaultValue) {
        long v = longParam(name, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw badParam(name, String.valueOf(v), "a 32-bit integer");
        }
        return (int) v;
    }

    /**
     * A query parameter as a number.
     *
     * @param name         the parameter
     * @param defaultValue returned when absent
     * @return the value
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} (field {@code name}) when it is not a finite number
     */
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

    /**
     * A query parameter as a flag: {@code true}/{@code 1}/{@code yes}/{@code on} or empty ({@code ?name}) for true,
     * {@code false}/{@code 0}/{@code no}/{@code off} for false, any case.
     *
     * @param name         the parameter
     * @param defaultValue returned when absent
     * @return the value
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} (field {@code name}) for anything else
     */
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

    /**
     * Fails when the URI carries a parameter outside {@code known}: typos must not pass silently.
     *
     * @param known the parameters the transport understands
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} (field: the parameter) naming the unknown parameter and
     *         the known ones
     */
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

    /**
     * {@return the URI with passwords ({@code password=} parameters, user info) replaced by {@code ***}, for logs and
     * messages}
     */
    public String redacted() {
        return uri.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    @Override
    public String toString() {
        return redacted();
    }
}
