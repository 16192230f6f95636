package io.gyrosentinel.training.packaging.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.training.internal.NativePlatform;
import io.gyrosentinel.training.packaging.PackagingException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the TFLite JNI library is looked for, and what a missing or broken one gives (issue #15). */
class TfliteRuntimeNativeTest {
    @TempDir
    Path dir;

    /** A class path of one directory and nothing else (no parent: not even this module's jars). */
    private static URLClassLoader classPathOf(Path root) throws IOException {
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    @Test
    void noLibraryOnTheClassPathIsUnsupportedAndNamesPlatformAndArtifact() throws IOException {
        NativePlatform linux = NativePlatform.of("Linux", "amd64");
        try (URLClassLoader empty = classPathOf(dir)) {
            PackagingException e = assertThrows(PackagingException.class, () -> TfliteRuntime.load(empty, null, linux));
            assertEquals(PackagingException.Reason.NATIVE_LIBRARY, e.reason());
            assertEquals(ErrorCode.UNSUPPORTED, e.code());
            assertNull(e.getCause());
            assertEquals("[UNSUPPORTED] NATIVE_LIBRARY: no TensorFlow Lite native library for linux-x86_64 "
                    + "(os.name=Linux, os.arch=amd64) (class path resource native/lib/libtensorflowlite_jni.so): add "
                    + "ai.djl.tflite:tflite-native-cpu:2.6.2 with classifier linux-x86_64 to the runtime class path "
                    + "(Gradle: runtimeOnly 'ai.djl.tflite:tflite-native-cpu:2.6.2:linux-x86_64'), or set "
                    + "-Dgyrosentinel.tflite.library=/path/to/libtensorflowlite_jni.so", e.getMessage());
        }
    }

    @Test
    void windowsLooksForTheDllAndSaysDjlPublishesNone() throws IOException {
        // The Linux library is there, but a Windows JVM must not take it.
        Path lib = Files.createDirectories(dir.resolve("native/lib")).resolve("libtensorflowlite_jni.so");
        Files.write(lib, new byte[] {0x7f, 'E', 'L', 'F'});
        try (URLClassLoader cl = classPathOf(dir)) {
            PackagingException e = assertThrows(PackagingException.class,
                    () -> TfliteRuntime.load(cl, null, NativePlatform.of("Windows 11", "amd64")));
            assertEquals(ErrorCode.UNSUPPORTED, e.code());
            assertTrue(e.getMessage().contains("(class path resource native/lib/tensorflowlite_jni.dll): "
                    + "ai.djl.tflite:tflite-native-cpu:2.6.2 is published for linux-x86_64 and osx-x86_64 only"),
                    e.getMessage());
        }
    }

    @Test
    void aLibraryThatDoesNotLoadIsWrappedWithThePlatform() throws IOException {
        // macOS's name for it, with contents no dynamic loader accepts: found, copied out, System.load fails.
        NativePlatform mac = NativePlatform.of("Mac OS X", "x86_64");
        Files.writeString(Files.createDirectories(dir.resolve("native/lib")).resolve("libtensorflowlite_jni.dylib"),
                "not a library");
        try (URLClassLoader cl = classPathOf(dir)) {
            PackagingException e = assertThrows(PackagingException.class, () -> TfliteRuntime.load(cl, null, mac));
            assertEquals(PackagingException.Reason.NATIVE_LIBRARY, e.reason());
            assertInstanceOf(UnsatisfiedLinkError.class, e.getCause());
            assertTrue(e.getMessage().startsWith("[UNSUPPORTED] NATIVE_LIBRARY: the TensorFlow Lite native library did "
                    + "not load on macos-x86_64 (os.name=Mac OS X, os.arch=x86_64) (class path resource "
                    + "native/lib/libtensorflowlite_jni.dylib: java.lang.UnsatisfiedLinkError: "), e.getMessage());
            assertTrue(e.getMessage().contains("add ai.djl.tflite:tflite-native-cpu:2.6.2 with classifier osx-x86_64"),
                    e.getMessage());
        }
    }

    @Test
    void aMissingOverrideFileNamesTheProperty() throws IOException {
        Path missing = dir.resolve("nowhere/libtensorflowlite_jni.so");
        try (URLClassLoader empty = classPathOf(dir)) {
            PackagingException e = assertThrows(PackagingException.class,
                    () -> TfliteRuntime.load(empty, missing.toString(), NativePlatform.of("Linux", "amd64")));
            assertEquals(PackagingException.Reason.NATIVE_LIBRARY, e.reason());
            assertTrue(e.getMessage().contains("(-Dgyrosentinel.tflite.library=" + missing + ": no such file)"),
                    e.getMessage());
        }
    }

    @Test
    void thisMachinesLibraryIsOnTheTestClassPath() {
        // The natives-* profile of this platform put it there (for the platforms DJL publishes for).
        NativePlatform here = NativePlatform.current();
        if (here.tfliteClassifier().isPresent()) {
            assertTrue(TfliteRuntime.class.getClassLoader().getResource(here.tfliteResource()) != null,
                    here.tfliteResource());
            TfliteRuntime.ensureLoaded();
        }
    }
}
