package io.gyrosentinel.transport.serial.interop;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngineProvider;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.ThresholdPolicy;
import io.gyrosentinel.training.TrainedModel;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models of the device contract. The C device runs a bundle's "reference.f32" part with its float reference
 * backend; the Java VirtualDevice runs the same {@link TrainedModel} through this engine, which finds it by the
 * bundle's SHA-256 of that part (registered when the test builds the bundle). Both therefore score with the same
 * weights, and the contract can check each device's scores against the model on the samples it sent.
 */
final class ContractModels implements InferenceEngineProvider {
    private static final Map<String, TrainedModel> BY_MODEL_ID = new ConcurrentHashMap<>();
    private static final Pattern STRIDE = Pattern.compile("\"stride\"\\s*:\\s*(\\d+)");

    /** Registers {@code model} as what {@code bundle} computes; returns the bundle. */
    static ModelBundle register(ModelBundle bundle, TrainedModel model) {
        BY_MODEL_ID.put(bundle.modelId(), model);
        return bundle;
    }

    /** A wider model (about 30 KB of weights), so a transfer spans many chunks. */
    static TrainedModel bigModel() {
        ModelArchitecture arch = new ModelArchitecture(16, 3, List.of(32, 16), List.of(16, 32));
        Random r = new Random(3);
        float[][] p = new float[arch.parameterSpecs().size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = new float[arch.parameterSpecs().get(i).size()];
            for (int j = 0; j < p[i].length; j++) {
                p[i][j] = (float) (r.nextGaussian() * 0.2);
            }
        }
        return TrainedModel.of(arch, new Normalization(new float[3], new float[] {1, 1, 1}),
                new Threshold(ThresholdPolicy.quantile(0.99), 1.0, 10), p, null, 960);
    }

    @Override
    public String name() {
        return "trained-model (device contract)";
    }

    @Override
    public DeviceModel load(ModelBundle bundle) {
        TrainedModel m = BY_MODEL_ID.get(bundle.modelId());
        if (m == null) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "no model registered as " + bundle.modelId());
        }
        Matcher s = STRIDE.matcher(bundle.manifestJson());
        int stride = s.find() ? Integer.parseInt(s.group(1)) : m.architecture().windowLength();
        String id = bundle.modelId();
        return new DeviceModel() {
            @Override
            public String modelId() {
                return id;
            }

            @Override
            public int windowSize() {
                return m.architecture().windowLength();
            }

            @Override
            public int stride() {
                return stride;
            }

            @Override
            public int channels() {
                return m.architecture().channels();
            }

            @Override
            public float threshold() {
                return (float) m.threshold().value();
            }

            @Override
            public float[] channelErrors(float[] window) {
                return m.channelScores(window);
            }

            @Override
            public void close() {
            }
        };
    }
}
