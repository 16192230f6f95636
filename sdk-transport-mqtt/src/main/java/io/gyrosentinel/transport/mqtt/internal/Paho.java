package io.gyrosentinel.transport.mqtt.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** Everything that touches Paho's API shape: client creation, options, error mapping. */
public final class Paho {
    private Paho() {
    }

    public static MqttAsyncClient client(MqttSettings s, String clientId) {
        try {
            // MemoryPersistence: Paho's default writes a directory per client into the working directory.
            return new MqttAsyncClient(s.serverUri(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw error("cannot create an MQTT client for " + s.uri(), s, e);
        }
    }

    /**
     * Connection options. With a session expiry, even the first connect asks to resume
     * (clean start off): Mosquitto 2.0 persists a session across its own restart only when the
     * client's last CONNECT had clean start off, whatever the session expiry.
     */
    public static MqttConnectionOptions options(MqttSettings s) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(s.sessionExpirySeconds() == 0);
        o.setSessionExpiryInterval(s.sessionExpirySeconds());
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, s.maxReconnectDelaySeconds());
        o.setMaxReconnectDelay(s.maxReconnectDelaySeconds() * 1000);
        o.setKeepAliveInterval(s.keepAliveSeconds());
        o.setConnectionTimeout(s.connectTimeoutSeconds());
        if (s.username() != null) {
            o.setUserName(s.username());
        }
        if (s.password() != null) {
            o.setPassword(s.password().getBytes(StandardCharsets.UTF_8));
        }
        o.setSocketFactory(s.tls() ? NoDelaySockets.tls(sslFactory(s)) : NoDelaySockets.plain());
        return o;
    }

    public static void will(MqttConnectionOptions o, String topic, byte[] payload) {
        MqttMessage m = new MqttMessage(payload, 1, true, null);
        o.setWill(topic, m);
        MqttProperties p = new MqttProperties();
        p.setContentType("application/json");
        p.setPayloadFormat(true);
        o.setWillMessageProperties(p);
    }

    public static MqttMessage json(byte[] payload, boolean retained) {
        MqttProperties p = new MqttProperties();
        p.setContentType("application/json");
        p.setPayloadFormat(true);
        return new MqttMessage(payload, 1, retained, p);
    }

    private static SSLSocketFactory sslFactory(MqttSettings s) {
        if (s.caFile() == null) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try (InputStream in = Files.newInputStream(s.caFile())) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new GyroSentinelException(ErrorCode.BAD_URI, "MQTT URI '" + s.uri() + "': caFile '" + s.caFile()
                        + "' holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new GyroSentinelException(ErrorCode.BAD_URI, "MQTT URI '" + s.uri() + "': cannot read caFile '"
                    + s.caFile() + "' as PEM certificates: " + e.getMessage(), e);
        }
    }

    /** Connects, blocking up to the connect timeout; maps failures to clear messages. */
    public static void connect(MqttAsyncClient c, MqttConnectionOptions o, MqttSettings s, String what) {
        try {
            IMqttToken t = c.connect(o);
            t.waitForCompletion(s.connectTimeoutSeconds() * 1000L + 2000);
            if (!c.isConnected()) {
                throw new MqttException(MqttClientException.REASON_CODE_CLIENT_TIMEOUT);
            }
        } catch (MqttException e) {
            closeQuietly(c);
            throw error(what, s, e);
        }
    }

    /** Subscribes, blocking; fails when the broker refuses a filter (e.g. by ACL). */
    public static void subscribe(MqttAsyncClient c, MqttSettings s, MqttSubscription... subs) {
        try {
            IMqttToken t = c.subscribe(subs);
            t.waitForCompletion(s.connectTimeoutSeconds() * 1000L);
            int[] rc = t.getReasonCodes();
            for (int i = 0; rc != null && i < rc.length && i < subs.length; i++) {
                if (rc[i] >= 0x80) {
                    throw new GyroSentinelException(ErrorCode.TRANSPORT, "broker " + s.host() + ":" + s.port()
                            + " refused the subscription to '" + subs[i].getTopic() + "': " + reason(rc[i])
                            + " — check the broker's ACL for this user");
                }
            }
        } catch (MqttException e) {
            throw error("cannot subscribe on " + s.uri(), s, e);
        }
    }

    /** Subscribes without waiting (from Paho's own callbacks, where waiting would deadlock). */
    public static void subscribeAsync(MqttAsyncClient c, MqttSubscription... subs) {
        try {
            c.subscribe(subs);
        } catch (MqttException | RuntimeException ignored) {
            // the next reconnect subscribes again
        }
    }

    /**
     * Publishes without waiting for the acknowledgement. When Paho's in-flight window (the
     * broker's receive maximum) is full, waits for room up to {@code maxWaitMillis}.
     */
    public static void publish(MqttAsyncClient c, String topic, MqttMessage m, long maxWaitMillis) throws MqttException {
        publish(c, topic, m, null, maxWaitMillis);
    }

    /**
     * {@link #publish(MqttAsyncClient, String, MqttMessage, long)} with a user context that Paho hands back in
     * {@code deliveryComplete} (the token's {@code getUserContext()}).
     */
    public static void publish(MqttAsyncClient c, String topic, MqttMessage m, Object userContext, long maxWaitMillis)
            throws MqttException {
        long deadline = System.nanoTime() + maxWaitMillis * 1_000_000;
        while (true) {
            try {
                c.publish(topic, m, userContext, null);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(200_000);
            }
        }
    }

    public static void closeQuietly(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect(0).waitForCompletion(1000);
            }
        } catch (MqttException | RuntimeException ignored) {
            // already gone
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // best effort
        }
    }

    /** Turns a Paho failure into the SDK exception with a message that says what to do. */
    public static GyroSentinelException error(String what, MqttSettings s, Throwable e) {
        String broker = "broker " + s.host() + ":" + s.port();
        if (e instanceof GyroSentinelException g) {
            return g;
        }
        int code = e instanceof MqttException m ? m.getReasonCode() : -1;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg;
        if (code >= 0x80 && code <= 0xFF) {
            msg = "broker refused: " + reason(code) + " (" + s.host() + ":" + s.port() + ")";
        } else if (root instanceof ConnectException) {
            msg = "cannot reach " + broker + ": connection refused — is the broker running and listening there?";
        } else if (root instanceof UnknownHostException) {
            msg = "cannot resolve broker host '" + s.host() + "'";
        } else if (root instanceof SSLException || root instanceof java.security.cert.CertificateException
                || root instanceof GeneralSecurityException) {
            msg = "TLS handshake with " + broker + " failed: " + root.getMessage()
                    + " — check caFile (the CA that signed the broker's certificate) and that the certificate names '"
                    + s.host() + "'";
        } else if (code == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
            msg = broker + " did not answer within " + s.connectTimeoutSeconds() + " s"
                    + (s.tls() ? "" : " (is it a TLS port? then use mqtts://)");
        } else if (code == MqttClientException.REASON_CODE_CONNECTION_LOST) {
            msg = broker + " closed the connection" + (s.tls() ? "" : " (is it a TLS port? then use mqtts://)");
        } else {
            msg = broker + ": " + (e.getMessage() == null ? e.toString() : e.getMessage())
                    + (root != e ? " (" + root + ")" : "");
        }
        return new GyroSentinelException(ErrorCode.TRANSPORT, what + ": " + msg, e);
    }

    static String reason(int code) {
        return switch (code) {
            case 0x80 -> "unspecified error";
            case 0x84 -> "unsupported protocol version — the broker must speak MQTT 5 (Mosquitto >= 1.6)";
            case 0x85 -> "client identifier not valid — choose another clientId";
            case 0x86 -> "bad user name or password — check username/password";
            case 0x87 -> "not authorised — check username/password";
            case 0x88 -> "server unavailable";
            case 0x89 -> "server busy";
            case 0x8A -> "banned";
            case 0x8C -> "bad authentication method";
            case 0x8F -> "topic filter invalid";
            case 0x90 -> "topic name invalid";
            case 0x95 -> "packet too large — raise the broker's message_size_limit";
            case 0x97 -> "quota exceeded";
            case 0x9E -> "shared subscriptions not supported by the broker";
            case 0xA2 -> "wildcard subscriptions not supported by the broker";
            default -> "reason code 0x" + Integer.toHexString(code);
        };
    }
}
