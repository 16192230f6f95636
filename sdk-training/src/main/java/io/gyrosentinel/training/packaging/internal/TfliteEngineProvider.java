package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.DeviceModel;
import io.gyrosentinel.model.InferenceEngineProvider;
import io.gyrosentinel.model.ModelBundle;

/**
 * Runs GyroSentinel TFLite bundles in a real TensorFlow Lite 2.6.2 runtime (registered in
 * {@code META-INF/services/io.gyrosentinel.model.InferenceEngineProvider}). Part hashes are checked against the
 * manifest before loading; signature checks belong to the caller (it holds the public key).
 */
public final class TfliteEngineProvider implements InferenceEngineProvider {
    @Override
    public String name() {
        return "tflite";
    }

    @Override
    public DeviceModel load(ModelBundle bundle) {
        BundleManifest m = BundleManifest.parse(bundle);
        m.checkHashes(bundle);
        byte[] tflite = bundle.parts().get(m.model());
        if (tflite == null) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "bundle " + bundle.modelId() + " has no part '"
                    + m.model() + "' named by its manifest");
        }
        try {
            return new TfliteDeviceModel(m, tflite);
        } catch (RuntimeException e) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "bundle " + bundle.modelId()
                    + " does not load in TFLite: " + e.getMessage(), e);
        }
    }
}
