package io.gyrosentinel.integration.opcua;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.integration.opcua.internal.DeviceNamespace;
import io.gyrosentinel.integration.opcua.internal.DeviceObject;
import io.gyrosentinel.integration.opcua.internal.ServerPki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.CompositeValidator;
import org.eclipse.milo.opcua.sdk.server.identity.IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.util.HostnameUtil;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OPC UA server (Eclipse Milo) that shows each followed device as an object under {@code Objects/GyroSentinel}
 * in the namespace {@value #NAMESPACE_URI}: live variables (Online, Firmware, ActiveModel, Score, Threshold,
 * AnomalyState, EventCount, LastEventTime, LinkGaps, MissingSamples, AlarmAcked), anomaly alarms as
 * {@code AlarmConditionType} events with the device object as source (the device objects, the folder and the
 * Server object are event notifiers), and the methods AcknowledgeAlarm(Comment) and Calibrate(DurationSeconds,
 * Quantile), which only signed-in users may call.
 *
 * <p>Security: one endpoint {@code opc.tcp://host:port/gyrosentinel} with Basic256Sha256 / SignAndEncrypt and a
 * self-signed server certificate kept in the PKI directory (created on the first start, reused after); client
 * certificates must be in the PKI directory's {@code trusted/certs} (a rejected one is copied to {@code
 * rejected/certs}, from where an administrator moves it). Users sign in with a name and password; anonymous
 * sessions and the insecure SecurityPolicy None endpoint exist only when asked for.
 *
 * <pre>{@code
 * try (GyroOpcUaServer opc = GyroOpcUaServer.builder()
 *         .pkiDirectory(Path.of("/var/lib/gyrosentinel/pki"))
 *         .bindAddress("0.0.0.0").port(4840)
 *         .user("operator", password)
 *         .build().start();
 *      AutoCloseable served = opc.addDevice(watch)) {
 *     ...
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class GyroOpcUaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GyroOpcUaServer.class);

    /** URI of the namespace of the folder, the device objects and their variables and methods. */
    public static final String NAMESPACE_URI = DeviceNamespace.URI;
    /** Path of the endpoint URL. */
    public static final String PATH = "/gyrosentinel";
    /** Browse name (and string node id) of the folder under Objects that holds the devices. */
    public static final String FOLDER = DeviceNamespace.FOLDER;

    private final OpcUaServer server;
    private final DeviceNamespace namespace;
    private final ServerPki pki;
    private final String hostname;
    private final int port;
    private State state = State.BUILT;

    private enum State { BUILT, STARTED, CLOSED }

    private GyroOpcUaServer(OpcUaServer server, DeviceNamespace namespace, ServerPki pki, String hostname,
                            int port) {
        this.server = server;
        this.namespace = namespace;
        this.pki = pki;
        this.hostname = hostname;
        this.port = port;
    }

    /** {@return a builder; {@link Builder#pkiDirectory(Path)} and a user or anonymous access are needed} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the endpoint and starts serving.
     *
     * @return this server
     * @throws IllegalStateException when it was started or closed before
     * @throws UncheckedIOException  when the endpoint cannot be bound
     */
    public synchronized GyroOpcUaServer start() {
        if (state != State.BUILT) {
            throw new IllegalStateException("the OPC UA server was already " + state.name().toLowerCase());
        }
        try {
            server.startup().get(30, TimeUnit.SECONDS);
            if (server.getBoundEndpoints().isEmpty()) {
                throw new IOException("no endpoint could be bound on port " + port);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the OPC UA server", e);
        } catch (ExecutionException | TimeoutException | IOException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            server.shutdown();
            throw new UncheckedIOException(new IOException("cannot bind the OPC UA endpoint " + endpointUrl()
                    + ": " + cause, cause));
        }
        state = State.STARTED;
        LOG.info("OPC UA server listening on {} (application URI {}, PKI {})", endpointUrl(), pki.applicationUri(),
                pki.dir());
        return this;
    }

    /** {@return the TCP port the endpoint listens on (the chosen one when 0 was asked for)} */
    public int port() {
        return port;
    }

    /** {@return the secure endpoint's URL, {@code opc.tcp://host:port/gyrosentinel}} */
    public String endpointUrl() {
        return "opc.tcp://" + (hostname.contains(":") ? "[" + hostname + "]" : hostname) + ":" + port + PATH;
    }

    /** {@return the application URI in the server certificate} */
    public String applicationUri() {
        return pki.applicationUri();
    }

    /** {@return the PKI directory, absolute} */
    public Path pkiDirectory() {
        return pki.dir();
    }

    /** {@return the directory of trusted client certificates (DER files): {@code <pki>/trusted/certs}} */
    public Path trustedCertificatesDirectory() {
        return pki.dir().resolve("trusted").resolve("certs");
    }

    /** {@return where client certificates that were not trusted are copied: {@code <pki>/rejected/certs}} */
    public Path rejectedCertificatesDirectory() {
        return pki.dir().resolve("rejected").resolve("certs");
    }

    /**
     * Serves a device: adds its object, variables and methods and keeps them up to date from the watch's
     * listeners.
     *
     * @param watch the device's watch; it stays the caller's to close (after the returned handle)
     * @return closing it removes the device's nodes and its listener
     * @throws IllegalArgumentException when a device with the same id is already served
     * @throws IllegalStateException    when the server is closed
     */
    public AutoCloseable addDevice(DeviceWatch watch) {
        Objects.requireNonNull(watch, "watch");
        synchronized (this) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the OPC UA server is closed");
            }
        }
        DeviceObject d = namespace.add(watch);
        LOG.debug("serving device {} as {}", d.deviceId(), d.nodeId());
        return d;
    }

    /** {@return the ids of the devices served now} */
    public Set<String> deviceIds() {
        return Set.copyOf(namespace.devices().keySet());
    }

    /** Removes every device, closes the endpoint and releases the PKI directory; idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        namespace.devices().values().forEach(DeviceObject::close);
        try {
            namespace.shutdown();
            server.shutdown().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("OPC UA server shutdown", e);
        } finally {
            pki.close();
        }
    }

    /** Configures a {@link GyroOpcUaServer}. */
    public static final class Builder {
        private int port = 4840;
        private String bindAddress = "127.0.0.1";
        private String hostname;
        private Path pkiDirectory;
        private final Map<String, char[]> users = new LinkedHashMap<>();
        private boolean allowAnonymous;
        private boolean allowInsecure;
        private boolean acceptAllClientCertificates;
        private String applicationName = "GyroSentinel OPC UA server";

        private Builder() {
        }

        /**
         * The TCP port; default 4840 (the OPC UA port).
         *
         * @param port 0 .. 65535; 0 picks a free port, which {@link GyroOpcUaServer#port()} tells
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 .. 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The address to listen on; default {@code 127.0.0.1} (this machine only). {@code 0.0.0.0} listens on every
         * interface.
         *
         * @param bindAddress an IP address or host name
         * @return this builder
         */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = requireText(bindAddress, "bindAddress");
            return this;
        }

        /**
         * The host name in the endpoint URL and in a newly created server certificate; default the bind address, or
         * this machine's host name when listening on every interface.
         *
         * @param hostname a host name or IP address clients reach the server by
         * @return this builder
         */
        public Builder hostname(String hostname) {
            this.hostname = requireText(hostname, "hostname");
            return this;
        }

        /**
         * The PKI directory (required): the server's key and certificate, created on the first start and reused,
         * the trusted client certificates and the rejected ones.
         *
         * @param dir a directory this process may create and write
         * @return this builder
         */
        public Builder pkiDirectory(Path dir) {
            this.pkiDirectory = Objects.requireNonNull(dir, "pkiDirectory");
            return this;
        }

        /**
         * Adds a user who may sign in (and call the methods); repeatable.
         *
         * @param name     the user name
         * @param password the password; copied
         * @return this builder
         */
        public Builder user(String name, char[] password) {
            requireText(name, "user name");
            Objects.requireNonNull(password, "password");
            if (password.length == 0) {
                throw new IllegalArgumentException("the password of user '" + name + "' is empty");
            }
            if (users.putIfAbsent(name, password.clone()) != null) {
                throw new IllegalArgumentException("user '" + name + "' is given twice");
            }
            return this;
        }

        /**
         * Whether anonymous sessions may browse, read and subscribe; default false. They may never call methods.
         *
         * @param allow true to offer the anonymous user token
         * @return this builder
         */
        public Builder allowAnonymous(boolean allow) {
            this.allowAnonymous = allow;
            return this;
        }

        /**
         * Whether to add an endpoint without security (SecurityPolicy None: no signing, no encryption; passwords
         * are still encrypted); default false.
         *
         * @param allow true to add it
         * @return this builder
         */
        public Builder allowInsecure(boolean allow) {
            this.allowInsecure = allow;
            return this;
        }

        /**
         * Whether every client certificate is trusted without being in the trust list; default false. For demos
         * only: any client can then open a secure channel.
         *
         * @param accept true to trust every client certificate
         * @return this builder
         */
        public Builder acceptAllClientCertificates(boolean accept) {
            this.acceptAllClientCertificates = accept;
            return this;
        }

        /**
         * The application name clients show; default "GyroSentinel OPC UA server".
         *
         * @param name the name
         * @return this builder
         */
        public Builder applicationName(String name) {
            this.applicationName = requireText(name, "applicationName");
            return this;
        }

        /**
         * Opens the PKI directory (creating the server certificate the first time) and creates the server; {@link
         * GyroOpcUaServer#start()} binds it.
         *
         * @return the server, not yet listening
         * @throws IllegalStateException    when there is no PKI directory, or no way to sign in
         * @throws IllegalArgumentException naming the path when the PKI directory cannot be used
         */
        public GyroOpcUaServer build() {
            if (pkiDirectory == null) {
                throw new IllegalStateException("pkiDirectory(...) is required: it keeps the server certificate");
            }
            if (users.isEmpty() && !allowAnonymous) {
                throw new IllegalStateException("no way to sign in: add a user(...) or allowAnonymous(true)");
            }
            boolean wildcard = bindAddress.equals("0.0.0.0") || bindAddress.equals("::");
            String host = hostname != null ? hostname : wildcard ? HostnameUtil.getHostname() : bindAddress;
            int actualPort = port != 0 ? port : freePort(bindAddress);
            Set<String> names = new LinkedHashSet<>(List.of(host, "localhost", "127.0.0.1"));
            if (wildcard) {
                names.addAll(HostnameUtil.getHostnames("0.0.0.0", false));
            }
            ServerPki pki = ServerPki.open(pkiDirectory, acceptAllClientCertificates, names,
                    "urn:gyrosentinel:opcua-server:" + HostnameUtil.getHostname());
            try {
                Map<String, char[]> accounts = Map.copyOf(users);
                UsernameIdentityValidator passwords = new UsernameIdentityValidator(c -> check(accounts,
                        c.getUsername(), c.getPassword()));
                IdentityValidator identities = allowAnonymous
                        ? new CompositeValidator(AnonymousIdentityValidator.INSTANCE, passwords) : passwords;

                EndpointConfig.Builder base = EndpointConfig.newBuilder()
                        .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                        .setBindAddress(bindAddress)
                        .setBindPort(actualPort)
                        .setHostname(host)
                        .setPath(PATH)
                        .setCertificate(pki.certificate());
                if (!users.isEmpty()) {
                    base.addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME);
                }
                if (allowAnonymous) {
                    base.addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS);
                }
                Set<EndpointConfig> endpoints = new LinkedHashSet<>();
                endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.Basic256Sha256)
                        .setSecurityMode(MessageSecurityMode.SignAndEncrypt).build());
                if (allowInsecure) {
                    endpoints.add(base.copy().setSecurityPolicy(SecurityPolicy.None)
                            .setSecurityMode(MessageSecurityMode.None).build());
                    LOG.warn("the OPC UA server offers an endpoint without security (allowInsecure)");
                }
                OpcUaServerConfig config = OpcUaServerConfig.builder()
                        .setApplicationUri(pki.applicationUri())
                        .setApplicationName(LocalizedText.english(applicationName))
                        .setProductUri("urn:gyrosentinel:opcua")
                        .setBuildInfo(new BuildInfo("urn:gyrosentinel:opcua", "GyroSentinel",
                                "GyroSentinel OPC UA server", version(), "", DateTime.now()))
                        .setCertificateManager(pki.certificateManager())
                        .setIdentityValidator(identities)
                        .setEndpoints(endpoints)
                        .build();
                OpcUaServer server = new OpcUaServer(config, profile ->
                        new OpcTcpServerTransport(OpcTcpServerTransportConfig.newBuilder().build()));
                DeviceNamespace ns = new DeviceNamespace(server);
                ns.startup();
                return new GyroOpcUaServer(server, ns, pki, host, actualPort);
            } catch (RuntimeException e) {
                pki.close();
                throw e;
            }
        }

        private static boolean check(Map<String, char[]> accounts, String user, String password) {
            char[] expected = user == null ? null : accounts.get(user);
            byte[] given = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
            byte[] want = expected == null ? new byte[0] : new String(expected).getBytes(StandardCharsets.UTF_8);
            boolean ok = MessageDigest.isEqual(given, want) && expected != null;
            if (!ok) {
                LOG.info("OPC UA sign-in refused for user '{}'", user);
            }
            return ok;
        }

        private static int freePort(String bindAddress) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + bindAddress, e);
            }
        }

        private static String version() {
            String v = GyroOpcUaServer.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        private static String requireText(String s, String what) {
            Objects.requireNonNull(s, what);
            if (s.isBlank()) {
                throw new IllegalArgumentException(what + " is blank");
            }
            return s;
        }
    }
}
