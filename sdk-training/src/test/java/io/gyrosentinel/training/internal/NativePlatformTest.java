package io.gyrosentinel.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativePlatformTest {
    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // os.name     | os.arch | id             | TF classifier  | TFLite classifier | TFLite library
        "Linux         | amd64   | linux-x86_64   | linux-x86_64   | linux-x86_64      | libtensorflowlite_jni.so",
        "Linux         | x86_64  | linux-x86_64   | linux-x86_64   | linux-x86_64      | libtensorflowlite_jni.so",
        "Linux         | aarch64 | linux-aarch64  | linux-arm64    | -                 | libtensorflowlite_jni.so",
        "Mac OS X      | aarch64 | macos-aarch64  | macosx-arm64   | -                 | libtensorflowlite_jni.dylib",
        "Mac OS X      | x86_64  | macos-x86_64   | -              | osx-x86_64        | libtensorflowlite_jni.dylib",
        "Darwin        | arm64   | macos-aarch64  | macosx-arm64   | -                 | libtensorflowlite_jni.dylib",
        "Windows 11    | amd64   | windows-x86_64 | windows-x86_64 | -                 | tensorflowlite_jni.dll",
        "Windows Server 2022 | AMD64 | windows-x86_64 | windows-x86_64 | -           | tensorflowlite_jni.dll",
        "Windows 11    | aarch64 | windows-aarch64 | -             | -                 | tensorflowlite_jni.dll",
        "Linux         | ppc64le | linux-ppc64le  | -              | -                 | libtensorflowlite_jni.so",
        "FreeBSD       | amd64   | freebsd-x86_64 | -              | -                 | libtensorflowlite_jni.so",
    })
    void mapsOsNameAndArchToThePublishedClassifiers(String osName, String osArch, String id, String tf, String tflite,
            String library) {
        NativePlatform p = NativePlatform.of(osName, osArch);
        assertEquals(id, p.id());
        assertEquals(Optional.ofNullable(tf), p.tensorflowClassifier());
        assertEquals(Optional.ofNullable(tflite), p.tfliteClassifier());
        assertEquals(library, p.tfliteLibraryName());
        assertEquals("native/lib/" + library, p.tfliteResource());
        assertEquals(id + " (os.name=" + osName + ", os.arch=" + osArch + ")", p.describe());
    }

    @Test
    void theCurrentPlatformIsThisJvmsAndNamesItsLibraryAsTheJvmDoes() {
        NativePlatform p = NativePlatform.current();
        assertEquals(NativePlatform.of(System.getProperty("os.name"), System.getProperty("os.arch")).id(), p.id());
        assertEquals(System.mapLibraryName("tensorflowlite_jni"), p.tfliteLibraryName());
    }

    @Test
    void unknownValuesStillGiveAnId() {
        assertEquals("unknown-unknown", NativePlatform.of(null, null).id());
        assertEquals("sunos-sparcv9", NativePlatform.of("SunOS", "sparcv9").id());
    }

    @Test
    void aMissingTensorFlowNativeIsUnsupportedAndNamesPlatformAndArtifact() {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("no jnitensorflow in java.library.path");
        GyroSentinelException e = NativePlatform.of("Linux", "aarch64").tensorflowMissing(cause);
        assertEquals(ErrorCode.UNSUPPORTED, e.code());
        assertSame(cause, e.getCause());
        assertEquals("[UNSUPPORTED] TensorFlow's native library did not load on linux-aarch64 (os.name=Linux, "
                + "os.arch=aarch64): add org.tensorflow:tensorflow-core-native:1.1.0 with classifier linux-arm64 to "
                + "the runtime class path (Maven: <classifier>linux-arm64</classifier>, scope runtime; Gradle: "
                + "runtimeOnly 'org.tensorflow:tensorflow-core-native:1.1.0:linux-arm64') "
                + "(java.lang.UnsatisfiedLinkError: no jnitensorflow in java.library.path)", e.getMessage());
    }

    @Test
    void aPlatformTensorFlowDoesNotPublishForSaysSo() {
        String m = NativePlatform.of("Mac OS X", "x86_64").tensorflowMissing(null).getMessage();
        assertTrue(m.startsWith("[UNSUPPORTED] TensorFlow Java 1.1.0 publishes no native library for macos-x86_64 "
                + "(os.name=Mac OS X, os.arch=x86_64): org.tensorflow:tensorflow-core-native:1.1.0 exists for "
                + "linux-x86_64, linux-arm64, macosx-arm64 and windows-x86_64 only"), m);
    }

    @Test
    void aMissingTfliteNativeNamesTheArtifactOrThatThereIsNone() {
        String linux = NativePlatform.of("Linux", "amd64").tfliteMissingMessage("class path resource "
                + "native/lib/libtensorflowlite_jni.so", null);
        assertEquals("no TensorFlow Lite native library for linux-x86_64 (os.name=Linux, os.arch=amd64) (class path "
                + "resource native/lib/libtensorflowlite_jni.so): add ai.djl.tflite:tflite-native-cpu:2.6.2 with "
                + "classifier linux-x86_64 to the runtime class path (Gradle: runtimeOnly "
                + "'ai.djl.tflite:tflite-native-cpu:2.6.2:linux-x86_64'), or set "
                + "-Dgyrosentinel.tflite.library=/path/to/libtensorflowlite_jni.so", linux);

        String windows = NativePlatform.of("Windows 11", "amd64").tfliteMissingMessage("class path resource "
                + "native/lib/tensorflowlite_jni.dll", null);
        assertTrue(windows.startsWith("no TensorFlow Lite native library for windows-x86_64 (os.name=Windows 11, "
                + "os.arch=amd64) (class path resource native/lib/tensorflowlite_jni.dll): "
                + "ai.djl.tflite:tflite-native-cpu:2.6.2 is published for linux-x86_64 and osx-x86_64 only; build "), windows);
        assertTrue(windows.contains("-Dgyrosentinel.tflite.library=/path/to/tensorflowlite_jni.dll"), windows);
        assertFalse(windows.contains("Rosetta"), windows);
        assertTrue(NativePlatform.of("Mac OS X", "aarch64").tfliteMissingMessage("x", null).contains("Rosetta 2"));

        String notLoaded = NativePlatform.of("Mac OS X", "x86_64").tfliteMissingMessage("class path resource "
                + "native/lib/libtensorflowlite_jni.dylib", new UnsatisfiedLinkError("bad file"));
        assertTrue(notLoaded.startsWith("the TensorFlow Lite native library did not load on macos-x86_64 "
                + "(os.name=Mac OS X, os.arch=x86_64) (class path resource native/lib/libtensorflowlite_jni.dylib: "
                + "java.lang.UnsatisfiedLinkError: bad file): add ai.djl.tflite:tflite-native-cpu:2.6.2 with "
                + "classifier osx-x86_64"), notLoaded);
    }
}
