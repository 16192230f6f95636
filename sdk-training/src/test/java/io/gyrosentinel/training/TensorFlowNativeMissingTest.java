package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.internal.NativePlatform;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Training where TensorFlow's native jar is not on the class path (issue #15): a JVM is started on this test's
 * class path less {@code tensorflow-core-native-*-<platform>.jar}, and must get a {@link GyroSentinelException}
 * naming the platform and the artifact, on the first attempt and on the next (TensorFlow's class then fails with
 * {@link NoClassDefFoundError} instead of {@link UnsatisfiedLinkError}).
 */
class TensorFlowNativeMissingTest {
    private static final Pattern NATIVE_JAR = Pattern.compile("tensorflow-core-native-[^" + Pattern.quote(File.separator)
            + "]*-(linux|macosx|windows)-[^" + Pattern.quote(File.separator) + "]*\\.jar");

    /** Runs in the child JVM: trains twice, prints one line per attempt. */
    public static void main(String[] args) {
        float[] v = new float[3 * 400];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.1);
        }
        TimeSeries ts = TimeSeries.of(v, 3, 100, SessionLabel.NORMAL);
        AutoencoderTrainer trainer = AutoencoderTrainer.builder().maxEpochs(1).build();
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                trainer.train(List.of(ts));
                System.out.println("attempt " + attempt + ": trained");
            } catch (GyroSentinelException e) {
                System.out.println("attempt " + attempt + ": " + e.getCause().getClass().getName() + " -> "
                        + e.getMessage());
            }
        }
    }

    @Test
    void trainingWithoutTheNativeJarNamesPlatformAndArtifact() throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> all = Arrays.asList(cp.split(Pattern.quote(File.pathSeparator)));
        List<String> kept = all.stream().filter(e -> !NATIVE_JAR.matcher(e).find()).toList();
        assumeTrue(kept.size() < all.size(), "no TensorFlow native jar on the test class path: " + cp);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", String.join(File.pathSeparator, kept),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", TensorFlowNativeMissingTest.class.getName())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);

        NativePlatform here = NativePlatform.current();
        String classifier = here.tensorflowClassifier().orElseThrow();
        String expected = "[UNSUPPORTED] TensorFlow's native library did not load on " + here.describe()
                + ": add org.tensorflow:tensorflow-core-native:1.1.0 with classifier " + classifier
                + " to the runtime class path";
        List<String> lines = text.lines().filter(l -> l.startsWith("attempt ")).toList();
        assertEquals(2, lines.size(), text);
        assertTrue(lines.get(0).startsWith("attempt 1: java.lang.UnsatisfiedLinkError -> " + expected), text);
        assertTrue(lines.get(1).startsWith("attempt 2: java.lang.NoClassDefFoundError -> " + expected), text);
    }
}
