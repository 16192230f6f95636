package io.gyrosentinel.transport.mqtt.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.transport.Endpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A validated {@code mqtt://} or {@code mqtts://} URI. One grammar serves the host transport, the
 * device bridge and the fleet, so a URI can be copied between them.
 *
 * @param deviceId          the device in the path, or {@code null} when the path is empty (fleet)
 * @param clientId          MQTT client id, or {@code null} to derive one
 * @param sampleQos         QoS with which a device publishes sample batches (0 or 1)
 * @param sessionExpirySeconds MQTT 5 session expiry: how long the broker keeps the session
 *                          (subscriptions and queued QoS 1 messages) of a disconnected client
 */
public record MqttSettings(String uri, boolean tls, String host, int port, String deviceId, String username,
                           String password, String clientId, int sampleQos, long sessionExpirySeconds,
                           Path caFile, int keepAliveSeconds, int connectTimeoutSeconds, int maxReconnectDelaySeconds) {

    public static final Set<String> PARAMS = Set.of("username", "password", "clientId", "sampleQos", "sessionExpiry",
            "caFile", "keepAlive", "connectTimeout", "maxReconnectDelay");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Parses and validates; {@code requireDevice} when the URI must name one device. */
    public static MqttSettings parse(String uri, boolean requireDevice) {
        return of(Endpoint.parse(uri), requireDevice);
    }

    public static MqttSettings of(Endpoint e, boolean requireDevice) {
        String scheme = e.scheme();
        if (!scheme.equals("mqtt") && !scheme.equals("mqtts")) {
            throw bad(e, "scheme must be mqtt or mqtts, not '" + scheme + "'");
        }
        boolean tls = scheme.equals("mqtts");
        if (e.host() == null || e.host().isBlank()) {
            throw bad(e, "no broker host; expected " + scheme + "://host:port/deviceId, e.g. " + scheme
                    + "://localhost:" + (tls ? 8883 : 1883) + "/pump-7");
        }
        e.requireKnownParams(PARAMS);
        String path = e.path();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String device = path.isEmpty() ? null : path;
        if (device == null && requireDevice) {
            throw bad(e, "no device id in the path; expected " + scheme + "://" + e.host() + ":" + e.port(tls ? 8883 : 1883)
                    + "/<deviceId>");
        }
        if (device != null && !DEVICE_ID.matcher(device).matches()) {
            throw bad(e, "device id '" + device + "' must be 1..64 characters of A-Z a-z 0-9 . _ : - "
                    + "(no '/', '+' or '#': it becomes an MQTT topic level)");
        }
        String user = e.params().get("username");
        String pass = e.params().get("password");
        if (pass != null && (user == null || user.isEmpty())) {
            throw bad(e, "password given without username");
        }
        String clientId = e.params().get("clientId");
        if (clientId != null && (clientId.isEmpty() || clientId.length() > 128)) {
            throw bad(e, "clientId must be 1..128 characters");
        }
        int qos = e.intParam("sampleQos", 0);
        if (qos != 0 && qos != 1) {
            throw bad(e, "sampleQos=" + qos + " must be 0 (at most once, default) or 1 (at least once)");
        }
        long expiry = e.longParam("sessionExpiry", 300);
        if (expiry < 0 || expiry > 0xFFFF_FFFFL) {
            throw bad(e, "sessionExpiry=" + expiry + " must be 0..4294967295 seconds");
        }
        Path ca = null;
        String caParam = e.params().get("caFile");
        if (caParam != null) {
            if (!tls) {
                throw bad(e, "caFile only applies to mqtts:// (TLS); use mqtts://" + e.host() + ":8883/...");
            }
            ca = Path.of(caParam);
            if (!Files.isReadable(ca)) {
                throw bad(e, "caFile '" + caParam + "' does not exist or is not readable");
            }
        }
        int keepAlive = e.intParam("keepAlive", 30);
        if (keepAlive < 1 || keepAlive > 65535) {
            throw bad(e, "keepAlive=" + keepAlive + " must be 1..65535 seconds");
        }
        int timeout = e.intParam("connectTimeout", 10);
        if (timeout < 1 || timeout > 300) {
            throw bad(e, "connectTimeout=" + timeout + " must be 1..300 seconds");
        }
        int maxDelay = e.intParam("maxReconnectDelay", 5);
        if (maxDelay < 1 || maxDelay > 3600) {
            throw bad(e, "maxReconnectDelay=" + maxDelay + " must be 1..3600 seconds");
        }
        return new MqttSettings(e.redacted(), tls, e.host(), e.port(tls ? 8883 : 1883), device, user, pass, clientId, qos,
                expiry, ca, keepAlive, timeout, maxDelay);
    }

    private static GyroSentinelException bad(Endpoint e, String what) {
        return new GyroSentinelException(ErrorCode.BAD_URI, "MQTT URI '" + e.redacted() + "': " + what);
    }

    /** Paho's server URI. */
    public String serverUri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "ssl://" : "tcp://") + h + ":" + port;
    }

    /** The client id to use: the configured one, else {@code prefix + suffix}. */
    public String clientIdOr(String prefix, String suffix) {
        if (clientId != null) {
            return clientId;
        }
        return prefix + (suffix != null ? suffix : UUID.randomUUID().toString().substring(0, 8));
    }

    public MqttSettings withDeviceId(String id) {
        if (!DEVICE_ID.matcher(id).matches()) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "device id '" + id
                    + "' must be 1..64 characters of A-Z a-z 0-9 . _ : -");
        }
        return new MqttSettings(uri, tls, host, port, id, username, password, clientId, sampleQos, sessionExpirySeconds,
                caFile, keepAliveSeconds, connectTimeoutSeconds, maxReconnectDelaySeconds);
    }

    @Override
    public String toString() {
        return uri;
    }
}
