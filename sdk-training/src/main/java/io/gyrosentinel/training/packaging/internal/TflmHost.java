package io.gyrosentinel.training.packaging.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gyrosentinel.training.packaging.PackagingException;
import io.gyrosentinel.training.packaging.PackagingException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real TensorFlow Lite Micro on the host: the ESP32 component's {@code gs_tflm_run} (its own TFLM backend and
 * op resolver, the C core's model store and runtime, the pinned esp-tflite-micro with reference kernels). The
 * packager runs every model it built through it when it is configured, and refuses what it cannot load.
 *
 * <p>Found through the system property {@value #PROPERTY} or the environment variable {@value #ENV} (the path of
 * {@code esp32-component/target/cmake/tools/gs_tflm_run}, built by {@code ./mvnw -pl esp32-component verify}).
 */
public final class TflmHost {
    public static final String PROPERTY = "gyrosentinel.tflm.run";
    public static final String ENV = "GYROSENTINEL_TFLM_RUN";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;

    public TflmHost(Path executable) {
        if (!isRunnable(executable)) {
            throw new PackagingException(Reason.BAD_INPUT, notRunnable(executable));
        }
        this.executable = executable.toAbsolutePath();
    }

    public static boolean isRunnable(Path executable) {
        return Files.isRegularFile(executable) && Files.isExecutable(executable);
    }

    public static String notRunnable(Path executable) {
        return "the TFLite Micro host runner " + executable + " is not an executable file (build it with "
                + "./mvnw -pl esp32-component verify, or unset " + PROPERTY + " / " + ENV + ")";
    }

    /** The runner's path named by {@value #PROPERTY} or {@value #ENV}, if either is set. */
    public static Optional<Path> configuredPath() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(Path.of(p));
    }

    public Path executable() {
        return executable;
    }

    /**
     * What TFLite Micro made of one bundle payload.
     *
     * @param loaded     whether the model loaded (through the model store and runtime into the TFLM backend)
     * @param error      the C core's error name when it did not load
     * @param reason     why it did not load, in words
     * @param arenaUsed      {@code arena_used_bytes()} after AllocateTensors
     * @param arenaRequired  the smallest arena it loads in (AllocateTensors needs temporary space beyond arenaUsed)
     * @param arenaSize      the host backend's arena
     * @param operators  operators in the graph
     * @param outputs    the reconstruction of each window, in TFLM
     */
    public record Result(boolean loaded, String error, String reason, int arenaUsed, int arenaRequired,
            int arenaSize, int operators, float[][] outputs) {
    }

    /**
     * Transfers {@code payload} into a file-backed model store, loads it through the runtime into the TFLM
     * backend and runs each of {@code windows} (normalised, {@code valuesPerWindow} floats each).
     *
     * @throws PackagingException {@link Reason#RUNTIME} when the runner itself fails (not when the model does not
     *                            load: that is a {@link Result} with {@code loaded() == false})
     */
    public Result run(byte[] payload, List<float[]> windows, int valuesPerWindow) {
        return run(payload, windows, valuesPerWindow, valuesPerWindow);
    }

    /** As {@link #run(byte[], List, int)} for a model returning {@code outputsPerWindow} values per window. */
    public Result run(byte[] payload, List<float[]> windows, int valuesPerWindow, int outputsPerWindow) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gs-tflm-");
            Path p = dir.resolve("payload.bin");
            Path in = dir.resolve("windows.f32");
            Path out = dir.resolve("out.f32");
            Files.write(p, payload);
            ByteBuffer b = ByteBuffer.allocate(windows.size() * valuesPerWindow * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] w : windows) {
                for (float v : w) {
                    b.putFloat(v);
                }
            }
            Files.write(in, b.array());
            Process proc = new ProcessBuilder(executable.toString(), "--payload", p.toString(), "--windows",
                    in.toString(), "--out", out.toString()).start();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> drain(proc.getInputStream()));
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(proc.getErrorStream()));
            if (!proc.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new PackagingException(Reason.RUNTIME, executable + " did not finish in " + TIMEOUT_SECONDS
                        + " s");
            }
            int code = proc.exitValue();
            String json = stdout.join().trim();
            if (code != 0 && code != 3) {
                throw new PackagingException(Reason.RUNTIME, executable + " failed (exit " + code + "): "
                        + stderr.join().trim());
            }
            JsonNode r = PackagingPipeline.JSON.readTree(json);
            if (!r.path("loaded").asBoolean(false)) {
                return new Result(false, r.path("error").asText(), r.path("reason").asText(), 0, 0,
                        r.path("arenaSize").asInt(), 0, new float[0][]);
            }
            ByteBuffer o = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
            float[][] y = new float[windows.size()][outputsPerWindow];
            for (float[] row : y) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = o.getFloat();
                }
            }
            return new Result(true, null, null, r.path("arenaUsed").asInt(), r.path("arenaRequired").asInt(),
                    r.path("arenaSize").asInt(), r.path("operators").asInt(), y);
        } catch (IOException e) {
            throw new PackagingException(Reason.RUNTIME, "running " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PackagingException(Reason.RUNTIME, "interrupted while running " + executable, e);
        } finally {
            deleteTree(dir);
        }
    }

    private static String drain(InputStream s) {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
