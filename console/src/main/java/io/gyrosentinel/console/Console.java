package io.gyrosentinel.console;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.console.internal.Clips;
import io.gyrosentinel.console.internal.Store;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.console.internal.Web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The GyroSentinel console: a web page people leave open (fleet, device, alarms) and a JSON API, with live updates
 * pushed by server-sent events, alarms and their feedback in a database (H2 file by default, PostgreSQL for
 * production; schema migrated by Flyway). The server behind {@code gyrosentinel serve}; embeddable.
 *
 * <pre>{@code
 * try (Console console = Console.builder().port(8080).database("jdbc:h2:file:/var/lib/gs/console").start();
 *      DeviceClient dev = DeviceClient.connect("serial:/dev/ttyUSB0");
 *      DeviceWatch watch = DeviceWatch.follow(dev);
 *      GyroStream stream = dev.stream()) {
 *     stream.collectTo(watch.collector());
 *     console.follow(watch);                         // http://127.0.0.1:8080/
 *     ...
 * }
 * }</pre>
 *
 * <p>Security: bound to loopback (the default), everyone on the machine is the local administrator. Bound to any
 * other address it refuses to start without a user, and every request but {@code /healthz} needs one (HTTP Basic;
 * put a TLS proxy in front). Every state-changing request needs its role and a CSRF token (the {@code gs_csrf}
 * cookie echoed in an {@code X-GS-CSRF} header), and is written to the audit log with who and when.
 */
public final class Console implements AutoCloseable {
    private final Store store;
    private final Web web;

    private Console(Store store, Web web) {
        this.store = store;
        this.web = web;
    }

    /** {@return a builder: 127.0.0.1:8080, H2 in ~/.gyrosentinel/console} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the port the console listens on} */
    public int port() {
        return web.port();
    }

    /** {@return the console's address, e.g. {@code http://127.0.0.1:8080/}} */
    public String url() {
        return web.url();
    }

    /**
     * Shows a device and stores its alarms and scores.
     *
     * @param watch the device's watch (feed it the stream's gaps with {@code stream.collectTo(watch.collector())})
     * @return closing it stops following the device
     * @throws IllegalArgumentException when a device of that id is followed already
     */
    public AutoCloseable follow(DeviceWatch watch) {
        return web.fleet().add(Objects.requireNonNull(watch, "watch"));
    }

    /**
     * Shows a device, stores its alarms and scores, and keeps its stream's last minute of samples so each alarm's
     * episode (from 10 s before it to its end) is saved as a recording in the {@link Builder#recordings(Path)}
     * directory; feedback labels it ({@link FeedbackExport}).
     *
     * @param watch  the device's watch
     * @param stream the device's stream
     * @return closing it stops following the device and keeping its samples
     * @throws IllegalArgumentException when a device of that id is followed already
     */
    public AutoCloseable follow(DeviceWatch watch, GyroStream stream) {
        Objects.requireNonNull(stream, "stream");
        Clips clips = new Clips(stream.config(), watch.client().info());
        AutoCloseable feed = stream.collectTo(clips);
        AutoCloseable followed;
        try {
            followed = web.fleet().add(Objects.requireNonNull(watch, "watch"), clips, stream);
        } catch (RuntimeException e) {
            close(feed);
            throw e;
        }
        return () -> {
            close(feed);
            followed.close();
        };
    }

    /**
     * Shows every device of an MQTT fleet (each device whose status the broker holds, online or not) with the
     * results and events the fleet delivers, and stores their alarms and scores. Actions that need a request to the
     * device (calibrate, deploy, record) are not available for these devices. Two consoles whose fleets share a
     * group ({@code MqttFleet.builder().sharedGroup(...)}) and one PostgreSQL database split the work and both show
     * all devices and all alarms.
     *
     * @param mqtt the fleet; it must outlive the returned handle
     * @return closing it stops following the fleet
     */
    public AutoCloseable follow(io.gyrosentinel.transport.mqtt.MqttFleet mqtt) {
        return new io.gyrosentinel.console.internal.FleetFeed(web.fleet(), Objects.requireNonNull(mqtt, "mqtt"));
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // detaching a collector does not fail
        }
    }

    /**
     * Adds a user, or replaces one of that name.
     *
     * @param name     user name: letters, digits, {@code . _ -}, 1..64
     * @param role     what the user may do
     * @param password at least 8 characters; only its PBKDF2 hash is stored
     * @throws IllegalArgumentException when the name or password is not acceptable
     */
    public void addUser(String name, Role role, char[] password) {
        addUser(store, name, role, password, "api");
    }

    static void addUser(Store store, String name, Role role, char[] password, String actor) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("user name '" + name + "': use 1..64 letters, digits, '.', '_', '-'");
        }
        store.putUser(name, Objects.requireNonNull(role, "role"), io.gyrosentinel.console.internal.Passwords
                .hash(password), actor);
    }

    /**
     * {@return alarms, newest first}
     *
     * @param status   only these, null for all
     * @param deviceId only this device's, null for all
     * @param limit    at most this many
     */
    public List<Alarm> alarms(AlarmStatus status, String deviceId, int limit) {
        return store.alarms(status, deviceId, limit);
    }

    /** Stops the server and closes the database. */
    @Override
    public void close() {
        try {
            web.close();
        } finally {
            store.close();
        }
    }

    /** Where the console listens and what it stores into. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 8080;
        private String jdbcUrl;
        private String dbUser;
        private String dbPassword;
        private Path recordings;
        private Path bundles;

        private Builder() {
        }

        /**
         * @param address the address to bind, {@code 127.0.0.1} by default; any other needs a user (see
         *                {@link Console})
         * @return this builder
         */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * @param port the TCP port, 0 for any free one ({@link Console#port()} tells)
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not in 0..65535");
            }
            this.port = port;
            return this;
        }

        /**
         * @param dir where the episodes of alarms of devices followed with their stream are saved as recordings
         *            (default: {@code recordings} beside an H2 file database, else {@code ~/.gyrosentinel/recordings})
         * @return this builder
         */
        public Builder recordings(Path dir) {
            this.recordings = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * @param dir the signed model bundles ({@code .gsb}) people may deploy from the console, listed on its
         *            models page; none by default
         * @return this builder
         */
        public Builder bundles(Path dir) {
            this.bundles = Objects.requireNonNull(dir, "dir");
            return this;
        }

        private Path recordingsDir() {
            if (recordings != null) {
                return recordings;
            }
            String url = url();
            if (url.startsWith("jdbc:h2:file:")) {
                Path db = Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).toAbsolutePath();
                return db.resolveSibling("recordings");
            }
            return Path.of(System.getProperty("user.home"), ".gyrosentinel", "recordings");
        }

        /**
         * @param jdbcUrl {@code jdbc:h2:file:PATH} or {@code jdbc:postgresql://HOST/DB}
         * @return this builder
         */
        public Builder database(String jdbcUrl) {
            return database(jdbcUrl, null, null);
        }

        /**
         * @param jdbcUrl  the database
         * @param user     its user, may be null
         * @param password its password, may be null
         * @return this builder
         */
        public Builder database(String jdbcUrl, String user, String password) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
                throw new IllegalArgumentException("database: a JDBC URL (jdbc:h2:... or jdbc:postgresql://...), not '"
                        + jdbcUrl + "'");
            }
            this.jdbcUrl = jdbcUrl;
            this.dbUser = user;
            this.dbPassword = password;
            return this;
        }

        /**
         * Adds a user to the database (or replaces one of that name) without starting the server: how
         * {@code gyrosentinel serve --add-user} prepares a console that listens beyond loopback.
         *
         * @param name     user name: letters, digits, {@code . _ -}, 1..64
         * @param role     what the user may do
         * @param password at least 8 characters; only its PBKDF2 hash is stored
         * @throws IllegalArgumentException when the name or password is not acceptable
         */
        public void saveUser(String name, Role role, char[] password) {
            try (Store store = Store.open(url(), dbUser, dbPassword)) {
                addUser(store, name, role, password, "cli");
            }
        }

        private String url() {
            return jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + Path.of(System.getProperty("user.home"),
                    ".gyrosentinel", "console").toAbsolutePath();
        }

        /**
         * Opens the database (migrating its schema) and starts the server.
         *
         * @return the running console
         * @throws IllegalStateException when the database cannot be opened, or the console would listen beyond
         *                               loopback with no user to authenticate
         */
        public Console start() {
            boolean loopback;
            try {
                loopback = InetAddress.getByName(bind).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bind address '" + bind + "' is not known", e);
            }
            Store store = Store.open(url(), dbUser, dbPassword);
            try {
                if (!loopback && store.userCount() == 0) {
                    throw new IllegalStateException("the console would listen on " + bind + " with no user to "
                            + "authenticate: add one (gyrosentinel serve --add-user NAME --role ROLE) or bind to "
                            + "127.0.0.1");
                }
                return new Console(store, Web.start(store, bind, port, loopback, recordingsDir(), bundles));
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
    }
}
