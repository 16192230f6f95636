package io.gyrosentinel.console;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: Debian's {@code postgresql} package (initdb + postgres from
 * /usr/lib/postgresql/N/bin), a fresh cluster in a temporary directory, on a free loopback port, trust
 * authentication, stopped and deleted by {@link #close()}. PostgreSQL refuses to run as root: under root the cluster
 * belongs to, and the server runs as, the {@code postgres} user the package creates (through {@code setpriv}).
 */
public final class PostgresServer implements AutoCloseable {
    private final Path dir;
    private final Path pg;
    private final int port;
    private final Process server;

    private PostgresServer(Path dir, Path pg, int port, Process server) {
        this.dir = dir;
        this.pg = pg;
        this.port = port;
        this.server = server;
    }

    static Path bin() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(p -> Files.isExecutable(p.resolve("bin/postgres")))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                    .map(p -> p.resolve("bin")).orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("PostgreSQL is missing under " + root + ": apt-get install postgresql "
                    + "(scripts/install-deps.sh does it)", e);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> as(List<String> cmd) {
        if (!root()) {
            return cmd;
        }
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        c.addAll(cmd);
        return c;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(as(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    /**
     * Creates a cluster and starts the server.
     *
     * @return the running server, accepting connections
     */
    public static PostgresServer start() throws Exception {
        Path bin = bin();
        // dir (ours) holds the logs; dir/pg belongs to the server's user under root. scripts/test.sh runs the tests
        // as a root without CAP_DAC_OVERRIDE, which cannot write into (nor delete from) a directory it does not own.
        Path dir = Files.createTempDirectory("gs-pg");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path pg = Files.createDirectory(dir.resolve("pg"));
        if (root()) {
            Process chown = new ProcessBuilder("chown", "postgres:postgres", pg.toString()).inheritIO().start();
            if (!chown.waitFor(30, TimeUnit.SECONDS) || chown.exitValue() != 0) {
                throw new IOException("chown postgres:postgres " + pg + " failed");
            }
        }
        Path data = pg.resolve("data");
        new ProcessBuilder(as(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "gs",
                "--auth=trust", "--encoding=UTF8", "--no-sync"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("initdb.log").toFile()).start().waitFor(120, TimeUnit.SECONDS);
        Process check = new ProcessBuilder(as(List.of("test", "-f", data.resolve("PG_VERSION").toString()))).start();
        if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new IOException("initdb failed: " + Files.readString(dir.resolve("initdb.log")));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder(as(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", String.valueOf(port), "-h", "127.0.0.1", "-k", pg.toString(), "-F",
                "-c", "shared_buffers=16MB", "-c", "max_connections=40"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        PostgresServer server0 = new PostgresServer(dir, pg, port, server);
        long until = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Process ready = new ProcessBuilder(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p",
                    String.valueOf(port)).redirectErrorStream(true).start();
            if (ready.waitFor(10, TimeUnit.SECONDS) && ready.exitValue() == 0) {
                break;
            }
            if (!server.isAlive() || System.nanoTime() > until) {
                String log = Files.readString(dir.resolve("server.log"));
                server0.close();
                throw new IOException("PostgreSQL did not start:\n" + log);
            }
            Thread.sleep(100);
        }
        run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "gs",
                "console"));
        return server0;
    }

    /** {@return the JDBC URL of the test database, user {@code gs}, no password} */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/console?user=gs";
    }

    @Override
    public void close() throws Exception {
        server.destroy(); // SIGTERM: a smart shutdown
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
        // the cluster's files belong to the server's user: it removes them
        run(List.of("rm", "-rf", pg.resolve("data").toString()));
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
