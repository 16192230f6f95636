package io.gyrosentinel.training.packaging;

import io.gyrosentinel.training.packaging.internal.TflmHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes every packager in this module's tests check its models in the real TensorFlow Lite Micro: when the ESP32
 * component's host runner exists (Surefire passes its path as {@value #RUNNER_PROPERTY}; the reactor builds
 * esp32-component first), it becomes the default {@link ModelPackager.Builder#tflmRunner}. Whether it must exist is
 * {@link TflmConformanceTest}'s business: it fails (or, outside CI and only when the C build said why, skips
 * visibly) when it does not.
 */
public final class TflmRunnerSetup implements LauncherSessionListener {
    static final String RUNNER_PROPERTY = "gs.test.tflmRunner";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        runner().ifPresent(p -> System.setProperty(TflmHost.PROPERTY, p.toString()));
    }

    /** The runner's path from Surefire, if the file is there. */
    static Optional<Path> runner() {
        String p = System.getProperty(RUNNER_PROPERTY);
        return p == null ? Optional.empty() : Optional.of(Path.of(p)).filter(Files::isExecutable);
    }

    /** Why the C build has no runner (its {@code gs_tflm_run.unavailable} file), if it said so. */
    static Optional<String> unavailableReason() {
        String p = System.getProperty(RUNNER_PROPERTY);
        if (p == null) {
            return Optional.empty();
        }
        Path f = Path.of(p + ".unavailable");
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.readString(f).trim()) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}
