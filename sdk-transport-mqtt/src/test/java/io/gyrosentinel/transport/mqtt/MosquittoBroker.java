package io.gyrosentinel.transport.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (Debian package {@code mosquitto}) for tests: generated config, a free port on
 * 127.0.0.1 only, persistence on (so a restart keeps sessions and retained messages), started
 * and stopped by pid, restartable on the same port.
 */
public final class MosquittoBroker implements AutoCloseable {
    public static final String MOSQUITTO = System.getProperty("gs.mosquitto", "/usr/sbin/mosquitto");

    /** What the broker requires of clients. */
    public static final class Config {
        String user;
        String password;
        TestPki pki;
        long maxQueued = 100_000;

        public static Config plain() {
            return new Config();
        }

        public Config withPassword(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        public Config withTls(TestPki pki) {
            this.pki = pki;
            return this;
        }

        public Config maxQueuedMessages(long n) {
            this.maxQueued = n;
            return this;
        }
    }

    private final Config config;
    private final Path dir;
    private final int port;
    private Process process;

    private MosquittoBroker(Config config, Path dir, int port) {
        this.config = config;
        this.dir = dir;
        this.port = port;
    }

    public static MosquittoBroker start(Config config) {
        try {
            Path dir = Files.createTempDirectory("gs-mosquitto-");
            MosquittoBroker b = new MosquittoBroker(config, dir, freePort());
            b.writeConfig();
            b.launch();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MosquittoBroker start() {
        return start(Config.plain());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private void writeConfig() throws IOException {
        List<String> c = new ArrayList<>();
        c.add("user " + System.getProperty("user.name")); // do not drop to 'mosquitto' when run as root
        c.add("per_listener_settings false");
        c.add("persistence true");
        c.add("persistence_location " + dir + "/");
        c.add("autosave_interval 1");
        c.add("max_queued_messages " + config.maxQueued);
        c.add("max_inflight_messages 100");
        c.add("set_tcp_nodelay true");
        c.add("log_dest file " + dir.resolve("mosquitto.log"));
        c.add("log_type error");
        c.add("log_type warning");
        c.add("log_type notice");
        c.add("log_type information");
        c.add("listener " + port + " 127.0.0.1");
        if (config.user != null) {
            Path pw = dir.resolve("passwd");
            run("mosquitto_passwd", "-b", "-c", pw.toString(), config.user, config.password);
            c.add("allow_anonymous false");
            c.add("password_file " + pw);
        } else {
            c.add("allow_anonymous true");
        }
        if (config.pki != null) {
            c.add("cafile " + config.pki.caFile());
            c.add("certfile " + config.pki.serverCert());
            c.add("keyfile " + config.pki.serverKey());
        }
        Files.write(dir.resolve("mosquitto.conf"), c, StandardCharsets.UTF_8);
    }

    static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(MOSQUITTO, "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IOException("mosquitto did not accept connections on port " + port + " within 10 s: " + log());
    }

    /** The broker's log so far (for failure messages). */
    public String log() {
        try {
            Path f = dir.resolve("mosquitto.log");
            String a = Files.exists(f) ? Files.readString(f) : "";
            Path o = dir.resolve("stdout.log");
            return a + (Files.exists(o) ? Files.readString(o) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code mqtt://127.0.0.1:port} or {@code mqtts://localhost:port} with TLS. */
    public String uri() {
        return config.pki != null ? "mqtts://localhost:" + port : "mqtt://127.0.0.1:" + port;
    }

    /** Stops the broker (SIGTERM to its pid: it saves its persistence file). */
    public void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Kills the broker with SIGKILL (no chance to save anything since the last autosave), waits {@code down}, then
     * starts it again on the same port and persistence directory: the crash of a broker's host.
     */
    public void killAndRestart(java.time.Duration down) {
        Process p = process;
        if (p != null && p.isAlive()) {
            try {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                Thread.sleep(down.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts it again on the same port with the same persistence directory. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    @Override
    public void close() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp files only
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
