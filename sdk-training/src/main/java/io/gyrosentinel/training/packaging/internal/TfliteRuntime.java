package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.internal.NativePlatform;
import io.gyrosentinel.training.packaging.PackagingException;
import io.gyrosentinel.training.packaging.PackagingException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tensorflow.lite.DataType;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * A real TensorFlow Lite 2.6.2 interpreter (DJL's JNI build, {@code ai.djl.tflite:tflite-native-cpu}),
 * loaded without network: the platform's JNI library ({@code native/lib/libtensorflowlite_jni.so}, {@code .dylib} or
 * {@code tensorflowlite_jni.dll}, see {@link NativePlatform}) is copied out of the jar once per JVM and
 * {@code System.load}-ed. The system property {@code gyrosentinel.tflite.library} may name a library file to load
 * instead. Without one: {@link PackagingException} {@link Reason#NATIVE_LIBRARY} naming the platform and artifact.
 */
public final class TfliteRuntime implements AutoCloseable {
    private static boolean loaded;

    private final Interpreter interpreter;
    private final ByteBuffer model;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private final boolean int8;
    private final boolean int16;
    private final float inScale;
    private final int inZp;
    private final float outScale;
    private final int outZp;
    private final int inCount;
    private final int outCount;
    private long lastNanos;
    private boolean closed;

    /** Loads a model; its input and output are both FLOAT32, both INT8 or both INT16. */
    public TfliteRuntime(byte[] tflite) {
        ensureLoaded();
        model = ByteBuffer.allocateDirect(tflite.length).order(ByteOrder.nativeOrder());
        model.put(tflite).rewind();
        try {
            Interpreter.Options o = new Interpreter.Options().setNumThreads(1).setUseXNNPACK(false);
            interpreter = new Interpreter(model, o);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new PackagingException(Reason.RUNTIME, "TFLite 2.6.2 refused the model: " + e.getMessage(), e);
        }
        Tensor ti = interpreter.getInputTensor(0);
        Tensor to = interpreter.getOutputTensor(0);
        int8 = ti.dataType() == DataType.INT8;
        int16 = ti.dataType() == DataType.INT16;
        inScale = ti.quantizationParams().getScale();
        inZp = ti.quantizationParams().getZeroPoint();
        outScale = to.quantizationParams().getScale();
        outZp = to.quantizationParams().getZeroPoint();
        inCount = ti.numElements();
        outCount = to.numElements();
        in = ByteBuffer.allocateDirect(ti.numBytes()).order(ByteOrder.nativeOrder());
        out = ByteBuffer.allocateDirect(to.numBytes()).order(ByteOrder.nativeOrder());
    }

    /** Runs one window (normalised floats; quantised here for integer models, as the firmware does). */
    public synchronized float[] run(float[] x) {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
        if (x.length != inCount) {
            throw new IllegalArgumentException("input has " + x.length + " values, the model takes " + inCount);
        }
        in.clear();
        out.clear();
        for (float v : x) {
            if (int16) {
                in.putShort(Quantizer.quantize16(v, inScale, inZp));
            } else if (int8) {
                in.put(Quantizer.quantize(v, inScale, inZp));
            } else {
                in.putFloat(v);
            }
        }
        in.rewind();
        long t0 = System.nanoTime();
        interpreter.run(in, out);
        lastNanos = System.nanoTime() - t0;
        out.rewind();
        float[] y = new float[outCount];
        for (int i = 0; i < outCount; i++) {
            y[i] = int16 ? (out.getShort() - outZp) * outScale : int8 ? (out.get() - outZp) * outScale
                    : out.getFloat();
        }
        return y;
    }

    /** Wall time of the last {@link #run} around {@code Interpreter.run}, in nanoseconds. */
    public synchronized long lastInvokeNanos() {
        return lastNanos;
    }

    public boolean isInt8() {
        return int8;
    }

    /** True for the 16x8 model (int16 input and output). */
    public boolean isInt16() {
        return int16;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            interpreter.close();
        }
    }

    /**
     * Loads the JNI library once per JVM.
     *
     * @throws PackagingException {@link Reason#NATIVE_LIBRARY} if there is none for this platform or it does not
     *                            load; {@link Reason#RUNTIME} if it cannot be copied out of its jar
     */
    public static synchronized void ensureLoaded() {
        if (loaded) {
            return;
        }
        load(TfliteRuntime.class.getClassLoader(), System.getProperty(NativePlatform.TFLITE_LIBRARY_PROPERTY),
                NativePlatform.current());
        loaded = true;
    }

    /** Finds and loads the library for {@code platform}: the {@code override} file, else from {@code cl}. */
    static void load(ClassLoader cl, String override, NativePlatform platform) {
        if (override != null) {
            String file = Path.of(override).toAbsolutePath().toString();
            String where = "-D" + NativePlatform.TFLITE_LIBRARY_PROPERTY + "=" + override;
            if (!Files.isRegularFile(Path.of(file))) {
                throw new PackagingException(Reason.NATIVE_LIBRARY, platform.tfliteMissingMessage(where
                        + ": no such file", null));
            }
            systemLoad(file, where, platform);
            return;
        }
        String resource = platform.tfliteResource();
        String where = "class path resource " + resource;
        try (InputStream s = cl.getResourceAsStream(resource)) {
            if (s == null) {
                throw new PackagingException(Reason.NATIVE_LIBRARY, platform.tfliteMissingMessage(where, null));
            }
            Path dir = Files.createTempDirectory("gyrosentinel-tflite");
            Path lib = dir.resolve(platform.tfliteLibraryName());
            Files.copy(s, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            systemLoad(lib.toString(), where, platform);
        } catch (IOException e) {
            throw new PackagingException(Reason.RUNTIME, "cannot copy the TFLite native library (" + resource
                    + ") to a temporary file: " + e.getMessage(), e);
        }
    }

    /** {@code System.load}, a library that does not load being the platform's missing native ({@code where} it was). */
    private static void systemLoad(String file, String where, NativePlatform platform) {
        try {
            System.load(file);
        } catch (UnsatisfiedLinkError e) {
            throw new PackagingException(Reason.NATIVE_LIBRARY, platform.tfliteMissingMessage(where, e), e);
        }
    }
}
