package io.gyrosentinel.training.packaging;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.AnomalyModel;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.packaging.internal.Graph;
import io.gyrosentinel.training.packaging.internal.PackagingPipeline;
import io.gyrosentinel.training.packaging.internal.TflmHost;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.function.Consumer;

/**
 * Turns a {@link TrainedModel} into a verified, optionally signed {@link ModelBundle} for TFLite Micro.
 *
 * <pre>{@code
 * ModelPackager packager = ModelPackager.builder()
 *         .modelId("fan-1")
 *         .precision(Precision.INT16X8)       // what ships (the default); all three precisions are built and verified
 *         .stride(40)                         // one score every 40 samples
 *         .signingKey(SigningKeys.readPrivateKey(Path.of("key.pem")))
 *         .build();
 *         .version(12)                        // anti-rollback: devices refuse versions below the highest they took
 * PackagedModel p = packager.pack(model, trainingWindows, anomalousWindows);  // raw windows, T*F floats each
 * p.writeTo(Path.of("fan-1.gsb"));
 * System.out.println(p.report().shippedCost().verdict());
 * }</pre>
 *
 * <h2>Layout: one whole-window model, invoked once per stride</h2>
 * The bundle holds one {@code model.tflite}: input the normalised window ({@code T*F} values, sample-major,
 * declared {@code [T/K, K*F]}), output its reconstruction in the same layout; the firmware normalises, invokes
 * once every {@code stride} samples (the sensor FIFO buffers the samples meanwhile) and computes the
 * per-channel MSE. The alternative, an encoder step model advanced every frame of {@code K} samples with
 * explicit h/c state plus a decoder run per stride, does not save work: every window starts from zero state, so
 * with overlapping windows each frame has to advance {@code ceil(T/stride)} encoder states, the same
 * multiply-accumulates as the whole-window model, while the step model pays an invoke and the state copies per
 * frame and window in flight (at stride = T the two cost about the same). Both are computed in the
 * {@link PackagingReport} ({@code stepLayoutMicros}).
 *
 * <h2>Ops</h2>
 * FULLY_CONNECTED, SPLIT, LOGISTIC, TANH, MUL, ADD and CONCATENATION only (no TILE, WHILE or fused LSTM); an
 * allow-list check refuses anything else.
 *
 * <h2>Quantisation</h2>
 * Both of TFLite's full-integer schemes, calibrated on the even-indexed normal windows and on copies of them at
 * twice the amplitude (headroom for faults), per-tensor int8 weights: {@link Precision#INT8} (int8 activations,
 * int32 biases; ESP-NN's kernels) and {@link Precision#INT16X8} (int16 activations, int64 biases; reference
 * kernels). int8 rounding accumulates over the recurrent steps: it passes verification on the default model (5
 * steps of 8 samples) with a small margin and fails with many steps, so when int8 is requested and fails, the
 * packager ships int16x8 instead (if that passes) and says so in {@link PackagingReport#fellBack()};
 * {@link Builder#fallbackToInt16x8(boolean) fallbackToInt16x8(false)} makes it fail instead. See
 * {@code internal.Quantizer}.
 *
 * <h2>Verification</h2>
 * All three models run in the real TFLite 2.6.2 runtime on the given windows before anything is returned: float
 * reconstruction within {@link Builder#floatTolerance} of the trainer's reference; integer scores with Spearman
 * ≥ {@link Builder#minSpearman} against the reference and ROC-AUC (anomalous vs normal) within
 * {@link Builder#maxAucDrop} of the reference's. With {@link Builder#tflmRunner the host TFLite Micro runner}, each
 * also runs in the real TensorFlow Lite Micro through the firmware's own backend and op resolver: it must load in
 * the firmware's arena, float32 must match the reference within {@link MicroCheck#FLOAT_RELATIVE_TOLERANCE}
 * (relative) and integer models must pass the same gates ({@link Verification#micro()}). The float model must always pass (it proves the graph), and so
 * must the shipped one; otherwise {@link PackagingException} and no bundle.
 * Instances are immutable and thread-safe.
 */
public final class ModelPackager {
    /** The firmware's default TensorFlow Lite Micro arena: Kconfig {@code GS_TFLM_ARENA_KB} = 64. */
    public static final int DEFAULT_DEVICE_ARENA_BYTES = 64 * 1024;
    /** The largest arena the firmware can be configured with: Kconfig {@code GS_TFLM_ARENA_KB} = 448. */
    public static final int MAX_DEVICE_ARENA_BYTES = 448 * 1024;
    private final String modelId;
    private final Precision precision;
    private final boolean fallbackToInt16x8;
    private final boolean shipCheapest;
    private final int stride;
    private final double sampleRateHz;
    private final PrivateKey signingKey;
    private final double floatTolerance;
    private final double minSpearman;
    private final double maxAucDrop;
    private final int maxVerificationWindows;
    private final Consumer<Graph> graphHook;
    private final Path tflmRunner;
    private final int deviceArenaBytes;
    private final long version;
    private final String scope;
    private final boolean allowDowngrade;

    private ModelPackager(Builder b) {
        this.modelId = b.modelId;
        this.precision = b.precision;
        this.fallbackToInt16x8 = b.fallbackToInt16x8;
        this.shipCheapest = b.shipCheapest;
        this.stride = b.stride;
        this.sampleRateHz = b.sampleRateHz;
        this.signingKey = b.signingKey;
        this.floatTolerance = b.floatTolerance;
        this.minSpearman = b.minSpearman;
        this.maxAucDrop = b.maxAucDrop;
        this.maxVerificationWindows = b.maxVerificationWindows;
        this.graphHook = b.graphHook;
        this.tflmRunner = b.tflmRunner;
        this.deviceArenaBytes = b.deviceArenaBytes;
        this.version = b.version;
        this.scope = b.scope == null || b.scope.isEmpty() ? null : b.scope;
        this.allowDowngrade = b.allowDowngrade;
    }

    /** {@return a builder: int16x8, unsigned, the default verification tolerances} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this packager's settings, to derive a variant} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelId = modelId;
        b.precision = precision;
        b.fallbackToInt16x8 = fallbackToInt16x8;
        b.shipCheapest = shipCheapest;
        b.stride = stride;
        b.sampleRateHz = sampleRateHz;
        b.signingKey = signingKey;
        b.floatTolerance = floatTolerance;
        b.minSpearman = minSpearman;
        b.maxAucDrop = maxAucDrop;
        b.maxVerificationWindows = maxVerificationWindows;
        b.graphHook = graphHook;
        b.tflmRunner = tflmRunner;
        b.deviceArenaBytes = deviceArenaBytes;
        b.version = version;
        b.scope = scope;
        b.allowDowngrade = allowDowngrade;
        return b;
    }

    /**
     * Builds, verifies and bundles the model.
     *
     * @param model             the trained model
     * @param trainingWindows   normal raw windows ({@code T*F} floats each, physical units), e.g. the training
     *                          windows: even-indexed ones calibrate int8, odd-indexed ones verify
     * @param anomalousWindows  raw windows of abnormal behaviour (real or synthetic), needed for the ROC-AUC check
     * @return the signed (if a key is set) bundle and its report
     * @throws PackagingException when the architecture is unsupported, an op is not allowed, or verification fails
     */
    public PackagedModel pack(TrainedModel model, float[][] trainingWindows, float[][] anomalousWindows) {
        return PackagingPipeline.run(this, model, trainingWindows, anomalousWindows);
    }

    /**
     * Builds, verifies and bundles a model of any {@link io.gyrosentinel.training.ModelFamily}: the LSTM autoencoder
     * as {@link #pack(TrainedModel, float[][], float[][])}; a {@link FeatureModel} as a float32 graph of its features
     * and score returning the channel scores (manifest {@code "output": "channel_scores"}), every normal and
     * anomalous window checked against the Java reference in TFLite and, when configured, TFLite Micro.
     *
     * @param model            the model, a {@link TrainedModel} or a {@link FeatureModel}
     * @param normalWindows    normal raw windows ({@code T*F} floats each, physical units)
     * @param anomalousWindows raw windows of abnormal behaviour (real or synthetic)
     * @return the signed (if a key is set) bundle and its report
     * @throws PackagingException as {@link #pack(TrainedModel, float[][], float[][])}
     */
    public PackagedModel pack(AnomalyModel model, float[][] normalWindows, float[][] anomalousWindows) {
        if (model instanceof TrainedModel tm) {
            return pack(tm, normalWindows, anomalousWindows);
        }
        return PackagingPipeline.runFeatures(this, (FeatureModel) model, normalWindows, anomalousWindows);
    }

    /**
     * Packs with what the model carries: its {@link TrainedModel#sampleWindows() sample of normal windows} calibrate
     * and verify, and {@link io.gyrosentinel.training.SyntheticAnomalies synthetic anomalies} derived from them stand in
     * for faults in the ROC-AUC gate (for plants with no fault recording yet).
     *
     * @param model the model; it must keep at least 2 sample windows
     * @return the signed (if a key is set) bundle and its report
     * @throws PackagingException {@link PackagingException.Reason#BAD_INPUT} when the model keeps no sample windows
     *                            (assembled by hand, or saved by an older SDK): use {@link #pack(TrainedModel,
     *                            float[][], float[][])}
     */
    public PackagedModel pack(AnomalyModel model) {
        float[][] normal = model.sampleWindows();
        if (normal.length < 2) {
            throw new PackagingException(PackagingException.Reason.BAD_INPUT, "the model keeps " + normal.length
                    + " sample windows (trained by an older SDK, or assembled without them): give normal windows "
                    + "(the CLI's --data) to calibrate and verify");
        }
        return pack(model, normal, io.gyrosentinel.training.SyntheticAnomalies.from(normal, model, 1));
    }

    /**
     * {@link #pack} and write the bundle to {@code path}; nothing is written when packaging fails.
     *
     * @param model            the trained model
     * @param trainingWindows  normal raw windows, as for {@link #pack(TrainedModel, float[][], float[][])}
     * @param anomalousWindows raw windows of abnormal behaviour
     * @param path             the bundle file, replaced if it exists
     * @return the packaged model
     * @throws PackagingException as {@link #pack(TrainedModel, float[][], float[][])}
     */
    public PackagedModel packTo(TrainedModel model, float[][] trainingWindows, float[][] anomalousWindows, Path path) {
        PackagedModel p = pack(model, trainingWindows, anomalousWindows);
        p.writeTo(path);
        return p;
    }

    /** {@return the model id, or null to derive {@code gs-<hash>} from the weights} */
    public String modelId() {
        return modelId;
    }

    /** {@return the precision that ships (unless the int8 fallback or {@link #shipCheapest()} changes it)} */
    public Precision precision() {
        return precision;
    }

    /** {@return whether a failed int8 model is replaced by the int16x8 one (default true)} */
    public boolean fallbackToInt16x8() {
        return fallbackToInt16x8;
    }

    /** {@return whether the cheapest precision that passed verification is shipped instead of the requested one} */
    public boolean shipCheapest() {
        return shipCheapest;
    }

    /** {@return the stride in samples, or 0 for "one window" (non-overlapping windows)} */
    public int stride() {
        return stride;
    }

    /** {@return the sample rate the cost verdict is computed for, Hz, or 0 for the model's own rate} */
    public double sampleRateHz() {
        return sampleRateHz;
    }

    /** {@return the EC P-256 key the bundle is signed with, or null for unsigned} */
    public PrivateKey signingKey() {
        return signingKey;
    }

    /** {@return the largest accepted |float TFLite − reference|} */
    public double floatTolerance() {
        return floatTolerance;
    }

    /** {@return the smallest accepted Spearman correlation of integer-model and reference scores} */
    public double minSpearman() {
        return minSpearman;
    }

    /** {@return the largest accepted ROC-AUC loss of an integer model against the reference} */
    public double maxAucDrop() {
        return maxAucDrop;
    }

    /** {@return the cap on normal and on anomalous windows run through TFLite for verification} */
    public int maxVerificationWindows() {
        return maxVerificationWindows;
    }

    /** {@return the host TensorFlow Lite Micro runner every built model is checked in, or null (not checked)} */
    public Path tflmRunner() {
        return tflmRunner;
    }

    /** {@return the device's TensorFlow Lite Micro arena a model must fit in, bytes} */
    public int deviceArenaBytes() {
        return deviceArenaBytes;
    }

    /** {@return the manifest's {@code "version"} (0: not written, which devices read as version 0)} */
    public long version() {
        return version;
    }

    /** {@return the one device id the bundle is for (the manifest's {@code "scope"}), or null for any device} */
    public String scope() {
        return scope;
    }

    /** {@return whether the manifest says {@code "downgrade": true}} */
    public boolean allowDowngrade() {
        return allowDowngrade;
    }

    /** {@return the test seam (internal) called with each freshly built graph before it is written, or null} */
    public Consumer<Graph> graphHook() {
        return graphHook;
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private String modelId;
        private Precision precision = Precision.INT16X8;
        private boolean fallbackToInt16x8 = true;
        private boolean shipCheapest;
        private int stride;
        private double sampleRateHz;
        private PrivateKey signingKey;
        private double floatTolerance = 1e-4;
        private double minSpearman = 0.99;
        private double maxAucDrop = 0.01;
        private int maxVerificationWindows = 400;
        private Consumer<Graph> graphHook;
        private Path tflmRunner = TflmHost.configuredPath().orElse(null);
        private int deviceArenaBytes = DEFAULT_DEVICE_ARENA_BYTES;
        private long version;
        private String scope;
        private boolean allowDowngrade;

        private Builder() {
        }

        /**
         * The model version written into the signed manifest ({@code "version"}, 0..4294967295; default 0 = not
         * written). A device remembers the highest version it has accepted and refuses lower ones with
         * {@code MODEL_VERSION_REJECTED} (anti-rollback: an old signed bundle cannot be replayed); the same
         * version again is accepted. Raise it with every release.
         *
         * @param version 0 .. 2^32 − 1
         * @return this builder
         */
        public Builder version(long version) {
            this.version = version;
            return this;
        }

        /**
         * Makes the bundle for one device only: the manifest's {@code "scope"} is this device id
         * ({@code DeviceInfo.deviceId()}, at most 47 bytes), and any other device refuses it. Null or empty
         * (the default): any device.
         *
         * @param deviceId the device id, or null
         * @return this builder
         */
        public Builder scope(String deviceId) {
            this.scope = deviceId;
            return this;
        }

        /**
         * Writes {@code "downgrade": true}: devices accept this bundle even when its {@link #version} is lower
         * than the highest they have accepted, to go back on purpose. Its version then becomes the device's
         * highest accepted version (the counter is reset to it). Default false (not written).
         *
         * @param allow whether to write {@code "downgrade": true}
         * @return this builder
         */
        public Builder allowDowngrade(boolean allow) {
            this.allowDowngrade = allow;
            return this;
        }

        /**
         * The model id: 1..47 characters (the firmware keeps 47 and a terminator), without quotes, backslashes or
         * control characters; default {@code gs-} + the first 12 hex digits of the shipped model's SHA-256.
         *
         * @param id the model id, or null for the default
         * @return this builder
         */
        public Builder modelId(String id) {
            this.modelId = id;
            return this;
        }

        /**
         * The precision that ships (default int16x8: by the cost card and by instruction counts of the TFLite Micro
         * kernels it is cheaper on the ESP32-S3 than int8, whose LOGISTIC/TANH are fixed-point polynomials, and far
         * more accurate; see {@link #fallbackToInt16x8(boolean)} for int8).
         *
         * @param p the precision, not {@code null}
         * @return this builder
         */
        public Builder precision(Precision p) {
            this.precision = p;
            return this;
        }

        /**
         * When int8 is requested and fails verification, ship the int16x8 model if it passes (default true);
         * false: fail with {@link PackagingException}.
         *
         * @param fallback whether to fall back
         * @return this builder
         */
        public Builder fallbackToInt16x8(boolean fallback) {
            this.fallbackToInt16x8 = fallback;
            return this;
        }

        /**
         * Ship the precision that passed verification and costs the device least by the cost card (default false:
         * the requested one). Every precision is built and verified anyway; this only changes which one ships, once
         * the requested one (or its int16x8 fallback) has passed. {@code gyrosentinel bench} uses it.
         *
         * @param cheapest whether to ship the cheapest passing precision
         * @return this builder
         */
        public Builder shipCheapest(boolean cheapest) {
            this.shipCheapest = cheapest;
            return this;
        }

        /**
         * Samples between scores (default: the window length, i.e. non-overlapping windows).
         *
         * @param stride samples, or 0 for the window length
         * @return this builder
         */
        public Builder stride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * The sensor rate the cost card's verdict is computed for (default: the model's sample rate).
         *
         * @param hz the rate, Hz, or 0 for the model's
         * @return this builder
         */
        public Builder sampleRateHz(double hz) {
            this.sampleRateHz = hz;
            return this;
        }

        /**
         * Signs the bundle with this EC P-256 key (default: unsigned).
         *
         * @param key the private key, or null for unsigned
         * @return this builder
         */
        public Builder signingKey(PrivateKey key) {
            this.signingKey = key;
            return this;
        }

        /**
         * Largest accepted |float TFLite − reference| (default 1e-4).
         *
         * @param t the tolerance, &gt; 0
         * @return this builder
         */
        public Builder floatTolerance(double t) {
            this.floatTolerance = t;
            return this;
        }

        /**
         * Smallest accepted Spearman correlation of integer-model and reference scores (default 0.99).
         *
         * @param s the correlation, &le; 1
         * @return this builder
         */
        public Builder minSpearman(double s) {
            this.minSpearman = s;
            return this;
        }

        /**
         * Largest accepted ROC-AUC loss of an integer model against the reference (default 0.01).
         *
         * @param d the ROC-AUC loss, &ge; 0
         * @return this builder
         */
        public Builder maxAucDrop(double d) {
            this.maxAucDrop = d;
            return this;
        }

        /**
         * Cap on normal and on anomalous windows run through TFLite for verification (default 400 each).
         *
         * @param n windows of each kind, at least 2
         * @return this builder
         */
        public Builder maxVerificationWindows(int n) {
            this.maxVerificationWindows = n;
            return this;
        }

        /**
         * Runs every built model in the real TensorFlow Lite Micro on this host before anything ships: the ESP32
         * component's {@code gs_tflm_run} (its TFLM backend and op resolver, model store and runtime, the pinned
         * esp-tflite-micro with reference kernels, the firmware's default arena). A model it cannot load, or whose
         * output leaves the precision's criteria, is never shipped ({@link MicroCheck}). Default: the path in the
         * system property {@code gyrosentinel.tflm.run} or the environment variable {@code GYROSENTINEL_TFLM_RUN};
         * null: not checked (the op allow-list and TFLite 2.6.2 remain). Built by
         * {@code ./mvnw -pl esp32-component verify} at {@code esp32-component/target/cmake/tools/gs_tflm_run}.
         *
         * @param executable the {@code gs_tflm_run} executable, or null
         * @return this builder
         */
        public Builder tflmRunner(Path executable) {
            this.tflmRunner = executable;
            return this;
        }

        /**
         * The tensor arena of the devices this model is for (default {@value #DEFAULT_DEVICE_ARENA_BYTES}, the
         * firmware's Kconfig {@code GS_TFLM_ARENA_KB} default of 64): with the {@link #tflmRunner TFLite Micro check}
         * a model whose measured {@code arena_used_bytes()} exceeds it is not shipped.
         *
         * @param bytes the arena size, bytes, 1024 .. {@value #MAX_DEVICE_ARENA_BYTES}
         * @return this builder
         */
        public Builder deviceArenaBytes(int bytes) {
            this.deviceArenaBytes = bytes;
            return this;
        }

        /** Internal test seam: lets a test tamper with the graph to prove verification catches it. */
        Builder graphHook(Consumer<Graph> hook) {
            this.graphHook = hook;
            return this;
        }

        /**
         * @return the packager
         * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} if a setting is out of range;
         *                               {@link GyroSentinelException#field()} names the setting
         */
        public ModelPackager build() {
            if (modelId != null && (modelId.isBlank() || modelId.length() > 47)) {
                throw invalid("modelId", "model id must be 1..47 characters (the device keeps 47), got '" + modelId + "'");
            }
            if (precision == null) {
                throw invalid("precision", "precision is required");
            }
            if (stride < 0) {
                throw invalid("stride", "stride must be >= 1 (or 0 for the window length), was " + stride);
            }
            if (sampleRateHz < 0 || !Double.isFinite(sampleRateHz)) {
                throw invalid("sampleRateHz", "sampleRateHz must be positive, was " + sampleRateHz);
            }
            if (!(floatTolerance > 0)) {
                throw invalid("floatTolerance", "tolerances out of range: floatTolerance must be > 0, was "
                        + floatTolerance);
            }
            if (!(minSpearman <= 1)) {
                throw invalid("minSpearman", "tolerances out of range: minSpearman must be <= 1, was " + minSpearman);
            }
            if (!(maxAucDrop >= 0)) {
                throw invalid("maxAucDrop", "tolerances out of range: maxAucDrop must be >= 0, was " + maxAucDrop);
            }
            if (maxVerificationWindows < 2) {
                throw invalid("maxVerificationWindows", "tolerances out of range: maxVerificationWindows must be >= 2, "
                        + "was " + maxVerificationWindows);
            }
            if (deviceArenaBytes < 1024 || deviceArenaBytes > MAX_DEVICE_ARENA_BYTES) {
                throw invalid("deviceArenaBytes", "deviceArenaBytes must be within 1024 .. " + MAX_DEVICE_ARENA_BYTES
                        + " (Kconfig GS_TFLM_ARENA_KB up to 448), was " + deviceArenaBytes);
            }
            if (modelId != null && !plainJson(modelId)) {
                throw invalid("modelId", "model id '" + modelId + "' has a quote, backslash or control character; "
                        + "devices read the manifest's modelId without JSON escapes");
            }
            if (version < 0 || version > 0xFFFF_FFFFL) {
                throw invalid("version", "version must be within 0 .. 4294967295 (an unsigned 32-bit counter on the "
                        + "device), was " + version);
            }
            if (scope != null && !scope.isEmpty()
                    && (scope.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 47 || !plainJson(scope))) {
                throw invalid("scope", "scope must be a device id of at most 47 bytes without quotes, backslashes "
                        + "or control characters (as DeviceInfo.deviceId() reports it), was '" + scope + "'");
            }
            if (tflmRunner != null && !TflmHost.isRunnable(tflmRunner)) {
                throw invalid("tflmRunner", TflmHost.notRunnable(tflmRunner));
            }
            return new ModelPackager(this);
        }

        /** Written by JSON without escapes (what a device's manifest reader takes). */
        private static boolean plainJson(String s) {
            return s.chars().noneMatch(c -> c == '"' || c == '\\' || c < 0x20);
        }

        private static GyroSentinelException invalid(String field, String message) {
            return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
        }
    }
}
