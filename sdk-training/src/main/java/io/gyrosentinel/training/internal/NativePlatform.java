package io.gyrosentinel.training.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Locale;
import java.util.Optional;

/**
 * The platform this JVM runs on, mapped to the classifiers under which TensorFlow Java and DJL's TensorFlow Lite
 * publish their native libraries, and the messages for a native library that is missing (issue #15).
 *
 * <p>Upstream publishes (Maven Central; {@code scripts/check-natives.sh} checks it):
 * <ul>
 *   <li>{@code org.tensorflow:tensorflow-core-native:1.1.0}: {@code linux-x86_64}, {@code linux-arm64},
 *       {@code macosx-arm64}, {@code windows-x86_64} (and {@code linux-x86_64-gpu});</li>
 *   <li>{@code ai.djl.tflite:tflite-native-cpu:2.6.2}: {@code linux-x86_64}, {@code osx-x86_64}.</li>
 * </ul>
 * sdk-training's pom adds them by the same table (its {@code natives-<id>} profiles); {@code NativeProfilesTest}
 * keeps the two in step.
 *
 * <p>A missing native is a {@link GyroSentinelException} with {@link ErrorCode#UNSUPPORTED}: the operation cannot
 * run on this host as it is set up (not an internal error, not bad input); the message names the platform, what
 * was looked for and the exact artifact to add, or says that upstream publishes none for this platform.
 */
public final class NativePlatform {
    /** TensorFlow Java's version; equal to the parent pom's {@code tensorflow.version}. */
    public static final String TENSORFLOW_VERSION = "1.1.0";
    /** DJL's TFLite native build; equal to the parent pom's {@code djl-tflite-native.version}. */
    public static final String TFLITE_NATIVE_VERSION = "2.6.2";
    /** The system property naming a TFLite JNI library file to load instead of the one on the class path. */
    public static final String TFLITE_LIBRARY_PROPERTY = "gyrosentinel.tflite.library";
    static final String TENSORFLOW_ARTIFACT = "org.tensorflow:tensorflow-core-native";
    static final String TFLITE_ARTIFACT = "ai.djl.tflite:tflite-native-cpu";

    /** Operating systems the natives are published for; everything else is {@link #OTHER}. */
    public enum Os {
        LINUX("linux"), MACOS("macos"), WINDOWS("windows"), OTHER(null);

        private final String id;

        Os(String id) {
            this.id = id;
        }
    }

    private final String osName;
    private final String osArch;
    private final Os os;
    private final String arch;

    private NativePlatform(String osName, String osArch) {
        this.osName = osName == null ? "" : osName;
        this.osArch = osArch == null ? "" : osArch;
        String n = this.osName.toLowerCase(Locale.ROOT);
        this.os = n.startsWith("linux") ? Os.LINUX
                : n.startsWith("mac") || n.startsWith("darwin") ? Os.MACOS
                : n.startsWith("windows") ? Os.WINDOWS : Os.OTHER;
        String a = this.osArch.toLowerCase(Locale.ROOT);
        this.arch = switch (a) {
            case "amd64", "x86_64", "x86-64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a.isEmpty() ? "unknown" : a;
        };
    }

    /** This JVM's platform ({@code os.name}, {@code os.arch}). */
    public static NativePlatform current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** The platform with these {@code os.name} and {@code os.arch} values. */
    public static NativePlatform of(String osName, String osArch) {
        return new NativePlatform(osName, osArch);
    }

    public Os os() {
        return os;
    }

    /** {@code x86_64}, {@code aarch64}, or the lower-cased {@code os.arch} for any other architecture. */
    public String arch() {
        return arch;
    }

    /**
     * {@code linux-x86_64}, {@code linux-aarch64}, {@code macos-aarch64}, {@code macos-x86_64},
     * {@code windows-x86_64}, …; the pom's profile for the platform is {@code natives-<id>}.
     */
    public String id() {
        String o = os.id != null ? os.id
                : osName.isBlank() ? "unknown" : osName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        return o + "-" + arch;
    }

    /** The classifier of {@code org.tensorflow:tensorflow-core-native} for this platform; empty if none is published. */
    public Optional<String> tensorflowClassifier() {
        return Optional.ofNullable(switch (id()) {
            case "linux-x86_64" -> "linux-x86_64";
            case "linux-aarch64" -> "linux-arm64";
            case "macos-aarch64" -> "macosx-arm64";
            case "windows-x86_64" -> "windows-x86_64";
            default -> null;
        });
    }

    /** The classifier of {@code ai.djl.tflite:tflite-native-cpu} for this platform; empty if none is published. */
    public Optional<String> tfliteClassifier() {
        return Optional.ofNullable(switch (id()) {
            case "linux-x86_64" -> "linux-x86_64";
            case "macos-x86_64" -> "osx-x86_64";
            default -> null;
        });
    }

    /**
     * The TFLite JNI library's file name here, as {@link System#mapLibraryName} gives it on that OS:
     * {@code libtensorflowlite_jni.so}, {@code libtensorflowlite_jni.dylib} or {@code tensorflowlite_jni.dll}.
     */
    public String tfliteLibraryName() {
        return switch (os) {
            case MACOS -> "libtensorflowlite_jni.dylib";
            case WINDOWS -> "tensorflowlite_jni.dll";
            default -> "libtensorflowlite_jni.so";
        };
    }

    /** The resource in DJL's native jar that holds the TFLite JNI library. */
    public String tfliteResource() {
        return "native/lib/" + tfliteLibraryName();
    }

    /** E.g. {@code linux-x86_64 (os.name=Linux, os.arch=amd64)}. */
    public String describe() {
        return id() + " (os.name=" + osName + ", os.arch=" + osArch + ")";
    }

    /**
     * The error for TensorFlow's native library not loading here ({@code cause}: the {@link UnsatisfiedLinkError},
     * {@link NoClassDefFoundError} or {@link ExceptionInInitializerError} TensorFlow threw).
     */
    public GyroSentinelException tensorflowMissing(Throwable cause) {
        return new GyroSentinelException(ErrorCode.UNSUPPORTED, tensorflowMissingMessage(cause), cause);
    }

    String tensorflowMissingMessage(Throwable cause) {
        String coords = TENSORFLOW_ARTIFACT + ":" + TENSORFLOW_VERSION;
        String why = cause == null ? "" : " (" + cause + ")";
        return tensorflowClassifier().map(c -> "TensorFlow's native library did not load on " + describe()
                        + ": add " + coords + " with classifier " + c + " to the runtime class path (Maven: <classifier>"
                        + c + "</classifier>, scope runtime; Gradle: runtimeOnly '" + coords + ":" + c + "')" + why)
                .orElseGet(() -> "TensorFlow Java " + TENSORFLOW_VERSION + " publishes no native library for "
                        + describe() + ": " + coords + " exists for linux-x86_64, linux-arm64, macosx-arm64 and "
                        + "windows-x86_64 only; train on one of those (a saved model directory works anywhere)" + why);
    }

    /**
     * The message for no TFLite JNI library: {@code lookedFor} says where it was looked for (a class path resource
     * or a file named by {@value #TFLITE_LIBRARY_PROPERTY}), {@code cause} why it did not load ({@code null}: it was
     * not found).
     */
    public String tfliteMissingMessage(String lookedFor, Throwable cause) {
        String coords = TFLITE_ARTIFACT + ":" + TFLITE_NATIVE_VERSION;
        String head = (cause == null ? "no TensorFlow Lite native library for " : "the TensorFlow Lite native library "
                + "did not load on ") + describe() + " (" + lookedFor + (cause == null ? "" : ": " + cause) + "): ";
        String property = " -D" + TFLITE_LIBRARY_PROPERTY + "=/path/to/" + tfliteLibraryName();
        return head + tfliteClassifier().map(c -> "add " + coords + " with classifier " + c
                        + " to the runtime class path (Gradle: runtimeOnly '" + coords + ":" + c + "'), or set" + property)
                .orElseGet(() -> coords + " is published for linux-x86_64 and osx-x86_64 only"
                        + (id().equals("macos-aarch64") ? " (an x86-64 JDK under Rosetta 2 can use osx-x86_64)" : "")
                        + "; build TensorFlow Lite 2.6.2's JNI library for this platform and set" + property
                        + ", or package and verify models on Linux x86-64");
    }

    @Override
    public String toString() {
        return describe();
    }
}
