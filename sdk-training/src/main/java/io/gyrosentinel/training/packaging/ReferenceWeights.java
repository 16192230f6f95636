package io.gyrosentinel.training.packaging;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.TrainedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bundle part {@value #PART_NAME}: a model's float32 weights in the layout of {@code sdk-training/MODEL.md},
 * read by the plain-C reference backend of the ESP-IDF component ({@code esp32-component/src/gs_model_reference.c},
 * which the host build and {@code gs_virtual_device} run instead of TensorFlow Lite Micro). It lets a bundle be
 * checked end to end on a PC: the C backend computes exactly what {@link TrainedModel#reconstructNormalized} does.
 *
 * <p>Format (all little endian):
 * <pre>
 * "GSRF"  u32 version (2)  u32 window  u32 channels  u32 samplesPerStep  u32 encoderLayers  u32 decoderLayers
 * u32 units[encoderLayers + decoderLayers]  u32 floatCount
 * float32 params[floatCount]
 * </pre>
 * {@code params} are the tensors of {@link ModelArchitecture#parameterSpecs()} in order: for each LSTM layer
 * ({@code enc0 … dec0 …}) {@code kernel [in, 4U]}, {@code recurrent [U, 4U]}, {@code bias [4U]} (gates i, f, g, o),
 * then {@code out.kernel [U_last, K*F]}, {@code out.bias [K*F]}, each row-major ({@code K = samplesPerStep}; the
 * first layer's {@code in} is {@code K*F}). Version 1 (read by the C backend too) had no {@code samplesPerStep}
 * field and meant {@code K = 1}.
 *
 * <pre>{@code
 * Map<String, byte[]> parts = Map.of("model.tflite", tflite, ReferenceWeights.PART_NAME, ReferenceWeights.encode(model));
 * }</pre>
 */
public final class ReferenceWeights {
    /** Name of the bundle part. */
    public static final String PART_NAME = "reference.f32";
    /** Format version written for frames ({@code samplesPerStep > 1}); one sample per step is written as 1. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = "GSRF".getBytes(StandardCharsets.US_ASCII);

    private ReferenceWeights() {
    }

    /**
     * Encodes the weights of {@code model}.
     *
     * @param model a trained LSTM autoencoder
     * @return the bytes of the {@value #PART_NAME} part, in the format above
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} if the model is too large for the format, or not an
     *                               LSTM autoencoder
     */
    public static byte[] encode(TrainedModel model) {
        ModelArchitecture a = model.architecture();
        if (a.cell() != ModelArchitecture.Cell.LSTM) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "reference.f32 holds LSTM autoencoders; a "
                    + a.family().id() + " model runs on the device's TFLite Micro backend only", "model", null);
        }
        List<Integer> units = a.lstmLayerUnits();
        float[][] params = model.parameters();
        long floats = 0;
        for (float[] p : params) {
            floats += p.length;
        }
        // Version 1 (no samplesPerStep field) for one sample per step: older C backends read it.
        boolean v1 = a.samplesPerStep() == 1;
        long bytes = (v1 ? 24L : 28L) + 4L * units.size() + 4 + 4 * floats;
        if (bytes > Integer.MAX_VALUE) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "model too large for " + PART_NAME + ": " + floats
                    + " floats");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(v1 ? 1 : VERSION).putInt(a.windowLength()).putInt(a.channels());
        if (!v1) {
            b.putInt(a.samplesPerStep());
        }
        b.putInt(a.encoderUnits().size()).putInt(a.decoderUnits().size());
        for (int u : units) {
            b.putInt(u);
        }
        b.putInt((int) floats);
        for (float[] p : params) {
            for (float v : p) {
                b.putFloat(v);
            }
        }
        return b.array();
    }
}
