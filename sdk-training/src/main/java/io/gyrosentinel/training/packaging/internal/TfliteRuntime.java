package io.gyrosentinel.training.packaging.internal;

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
 * loaded without network: the {@code .so} is copied out of the jar once per JVM and {@code System.load}-ed.
 * The system property {@code gyrosentinel.tflite.library} may name a library file to load instead.
 */
public final class TfliteRuntime implements AutoCloseable {
    static final String RESOURCE = "native/lib/libtensorflowlite_jni.so";
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

    /** Loads the JNI library once per JVM. */
    public static synchronized void ensureLoaded() {
        if (loaded) {
            return;
        }
        String override = System.getProperty("gyrosentinel.tflite.library");
        try {
            if (override != null) {
                System.load(Path.of(override).toAbsolutePath().toString());
            } else {
                ClassLoader cl = TfliteRuntime.class.getClassLoader();
                try (InputStream s = cl.getResourceAsStream(RESOURCE)) {
                    if (s == null) {
                        throw new PackagingException(Reason.RUNTIME, "no TFLite native library on the class path ("
                                + RESOURCE + "): add ai.djl.tflite:tflite-native-cpu:2.6.2 with classifier "
                                + "linux-x86_64, or set -Dgyrosentinel.tflite.library=/path/libtensorflowlite_jni.so");
                    }
                    Path dir = Files.createTempDirectory("gyrosentinel-tflite");
                    Path so = dir.resolve("libtensorflowlite_jni.so");
                    Files.copy(s, so, StandardCopyOption.REPLACE_EXISTING);
                    so.toFile().deleteOnExit();
                    dir.toFile().deleteOnExit();
                    System.load(so.toString());
                }
            }
            loaded = true;
        } catch (IOException | UnsatisfiedLinkError e) {
            throw new PackagingException(Reason.RUNTIME, "cannot load the TFLite native library: " + e.getMessage(), e);
        }
    }
}
