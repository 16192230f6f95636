package io.gyrosentinel.training.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.training.AnomalyModel;
import io.gyrosentinel.training.EpochReport;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.ModelFamily;
import io.gyrosentinel.training.SignalFeatures;
import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import io.gyrosentinel.training.ModelFormatException;
import io.gyrosentinel.training.Normalization;
import io.gyrosentinel.training.Threshold;
import io.gyrosentinel.training.ThresholdPolicy;
import io.gyrosentinel.training.TrainedModel;
import io.gyrosentinel.training.TrainingHistory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The on-disk model directory:
 * <ul>
 *   <li>{@code manifest.json} — format id and version, architecture, sample rate, normalisation, threshold,
 *       weight index (name, shape, byte offset) with size and CRC-32 of the weights file, training history;</li>
 *   <li>{@code weights.bin} — magic {@code "GSW1"}, uint32 LE float count, then float32 little-endian tensors,
 *       row-major, in {@link ModelArchitecture#parameterSpecs()} order.</li>
 * </ul>
 */
public final class ModelDirectory {
    public static final String FORMAT = "gyrosentinel.lstm-autoencoder";
    /** Format of the statistical families' directories ({@link FeatureModel}). */
    public static final String FEATURE_FORMAT = "gyrosentinel.feature-model";
    public static final int FEATURE_FORMAT_VERSION = 1;
    public static final int FORMAT_VERSION = 2;
    /** Version written for a model with preprocessing beyond the normalisation ({@code preprocessing.dc}). */
    static final int FORMAT_VERSION_PREPROCESSING = 3;
    /**
     * Version written for one sample per LSTM step: such a model reads the same in SDKs that predate
     * {@code architecture.samplesPerStep} (which would misread a framed model, so those get version 2).
     */
    static final int FORMAT_VERSION_ONE_SAMPLE_PER_STEP = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String WEIGHTS = "weights.bin";
    /** A bounded sample of the normal training/validation windows (float32 LE, raw units), for packaging. */
    public static final String SAMPLES = "sample-windows.f32";
    private static final byte[] MAGIC = {'G', 'S', 'W', '1'};
    private static final int HEADER = 8;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelDirectory() {}

    public static void write(TrainedModel model, Path directory) {
        write(model, directory, p -> {});
    }

    /** @param beforeRename test hook, called with the complete temporary directory just before the rename */
    public static void write(TrainedModel model, Path directory, Consumer<Path> beforeRename) {
        writeDirectory(directory, weightsBytes(model.parameters()), (bytes, crc) -> manifest(model, bytes, crc),
                model.sampleWindows(), beforeRename);
    }

    /** Writes a feature model's directory (same layout: manifest.json, weights.bin, sample-windows.f32). */
    public static void write(FeatureModel model, Path directory) {
        writeDirectory(directory, weightsBytes(model.parameters()), (bytes, crc) -> featureManifest(model, bytes, crc),
                model.sampleWindows(), p -> {});
    }

    private static void writeDirectory(Path directory, byte[] weights,
            java.util.function.BiFunction<Long, Long, ObjectNode> manifestOf, float[][] samples,
            Consumer<Path> beforeRename) {
        Path target = directory.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            if (Files.exists(target) && !isEmptyDirectory(target)) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "exists and is not an empty directory; choose a new directory or delete it first");
            }
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            writeSynced(tmp.resolve(WEIGHTS), weights);
            CRC32 crc = new CRC32();
            crc.update(weights);
            ObjectNode manifest = manifestOf.apply((long) weights.length, crc.getValue());
            if (samples.length > 0) {
                byte[] sb = floats(samples);
                writeSynced(tmp.resolve(SAMPLES), sb);
                CRC32 sc = new CRC32();
                sc.update(sb);
                ObjectNode sn = manifest.putObject("sampleWindows");
                sn.put("file", SAMPLES);
                sn.put("count", samples.length);
                sn.put("bytes", sb.length);
                sn.put("crc32", String.format("%08x", sc.getValue()));
            }
            writeSynced(tmp.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
            beforeRename.accept(tmp);
            if (Files.exists(target)) {
                Files.delete(target); // an empty directory; rename(2) cannot replace it otherwise
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename " + tmp + " atomically to " + target, e);
            }
            tmp = null;
            syncDirectory(parent);
        } catch (IOException e) {
            throw new io.gyrosentinel.GyroSentinelException(io.gyrosentinel.ErrorCode.IO, "cannot save model to " + target
                    + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteRecursively(tmp);
            }
        }
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            return !ds.iterator().hasNext();
        }
    }

    private static void writeSynced(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Not every platform can fsync a directory; the rename itself is still atomic.
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort cleanup of our own temporary directory
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static byte[] weightsBytes(float[][] params) {
        int count = 0;
        for (float[] p : params) {
            count += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(count);
        for (float[] p : params) {
            for (float v : p) {
                b.putFloat(v);
            }
        }
        return b.array();
    }

    private static ObjectNode manifest(TrainedModel model, long weightBytes, long crc) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ModelArchitecture a = model.architecture();
        // version 1 readers know only one-sample-per-step LSTMs: frames and dense layers get version 2; DC removal
        // version 3 (a reader that ignored "preprocessing" would score the model wrongly)
        root.put("formatVersion", model.removesDc() ? FORMAT_VERSION_PREPROCESSING
                : a.samplesPerStep() == 1 && a.cell() == ModelArchitecture.Cell.LSTM
                ? FORMAT_VERSION_ONE_SAMPLE_PER_STEP : FORMAT_VERSION);
        if (model.removesDc()) {
            root.putObject("preprocessing").put("dc", "remove");
        }
        ObjectNode arch = root.putObject("architecture");
        arch.put("windowLength", a.windowLength());
        arch.put("channels", a.channels());
        arch.put("samplesPerStep", a.samplesPerStep());
        a.encoderUnits().forEach(arch.putArray("encoderUnits")::add);
        a.decoderUnits().forEach(arch.putArray("decoderUnits")::add);
        if (a.cell() == ModelArchitecture.Cell.DENSE) {
            arch.put("cell", "dense");
            arch.put("activation", "tanh");
        } else if (a.cell() == ModelArchitecture.Cell.CONV) {
            arch.put("cell", "conv");
            arch.put("activation", "tanh");
            arch.put("kernel", ModelArchitecture.CONV_KERNEL);
            arch.put("padding", "same");
        } else {
            arch.put("cell", "lstm");
            arch.put("gateOrder", "ifco");
            arch.put("latentRepeat", "concatenation");
        }
        arch.put("score", "mean_squared_error_normalized");
        root.put("sampleRateHz", model.sampleRateHz());
        putNormalizationAndThreshold(root, model.normalization(), model.threshold());
        putWeights(root, a.parameterSpecs(), weightBytes, crc);
        TrainingHistory h = model.history();
        if (h != null) {
            ObjectNode hn = root.putObject("history");
            hn.put("bestEpoch", h.bestEpoch());
            hn.put("stopReason", h.stopReason().name());
            hn.put("seed", h.seed());
            hn.put("trainingWindows", h.trainingWindows());
            hn.put("validationWindows", h.validationWindows());
            hn.put("windowStride", h.windowStride());
            hn.put("totalSeconds", h.totalTime().toNanos() / 1e9);
            ArrayNode epochs = hn.putArray("epochs");
            for (EpochReport r : h.epochs()) {
                ObjectNode e = epochs.addObject();
                e.put("epoch", r.epoch());
                e.put("maxEpochs", r.maxEpochs());
                e.put("trainLoss", r.trainLoss());
                e.put("validationLoss", r.validationLoss());
                e.put("learningRate", r.learningRate());
                e.put("seconds", r.epochTime().toNanos() / 1e9);
                e.put("elapsedSeconds", r.elapsed().toNanos() / 1e9);
                e.put("improved", r.improved());
            }
        }
        return root;
    }

    private static void putWeights(ObjectNode root, List<ParameterSpec> specs, long weightBytes, long crc) {
        ObjectNode w = root.putObject("weights");
        w.put("file", WEIGHTS);
        w.put("dtype", "float32");
        w.put("byteOrder", "little_endian");
        w.put("bytes", weightBytes);
        w.put("crc32", String.format("%08x", crc));
        ArrayNode tensors = w.putArray("tensors");
        long offset = HEADER;
        for (ParameterSpec spec : specs) {
            ObjectNode tn = tensors.addObject();
            tn.put("name", spec.name());
            ArrayNode shape = tn.putArray("shape");
            for (int d : spec.shape()) {
                shape.add(d);
            }
            tn.put("offset", offset);
            offset += 4L * spec.size();
        }
    }

    private static void putNormalizationAndThreshold(ObjectNode root, Normalization n, Threshold t) {
        ObjectNode norm = root.putObject("normalization");
        ArrayNode mean = norm.putArray("mean");
        for (float v : n.mean()) {
            mean.add(v);
        }
        ArrayNode std = norm.putArray("std");
        for (float v : n.std()) {
            std.add(v);
        }
        ObjectNode th = root.putObject("threshold");
        th.put("method", t.policy().method());
        th.put("parameter", t.policy().parameter());
        th.put("value", t.value());
        th.put("calibrationWindows", t.calibrationWindows());
    }

    private static ObjectNode featureManifest(FeatureModel model, long weightBytes, long crc) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FEATURE_FORMAT);
        root.put("formatVersion", FEATURE_FORMAT_VERSION);
        root.put("family", model.family().id());
        SignalFeatures f = model.features();
        ObjectNode fn = root.putObject("features");
        fn.put("windowLength", f.windowLength());
        fn.put("channels", f.channels());
        fn.put("bands", f.bands());
        fn.put("dc", f.withMean() ? "keep" : "remove");
        fn.put("definition", "io.gyrosentinel.training.SignalFeatures v1 (mean, log_std, log_peak, crest, kurtosis, "
                + "log_band*; Hann; channel-major)");
        root.put("sampleRateHz", model.sampleRateHz());
        putNormalizationAndThreshold(root, model.normalization(), model.threshold());
        putWeights(root, model.parameterSpecs(), weightBytes, crc);
        FeatureModel.Fit fit = model.fit();
        ObjectNode fitNode = root.putObject("fit");
        fitNode.put("trainingWindows", fit.trainingWindows());
        fitNode.put("validationWindows", fit.validationWindows());
        fitNode.put("windowStride", fit.windowStride());
        fitNode.put("seconds", fit.seconds());
        fitNode.put("shrinkage", fit.shrinkage());
        fitNode.put("components", fit.components());
        fitNode.put("explainedVariance", fit.explainedVariance());
        return root;
    }

    /** Reads a model directory of any family (dispatching on the manifest's {@code format}). */
    public static AnomalyModel readAny(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        JsonNode root = manifestOf(dir);
        Reader r = new Reader(dir.resolve(MANIFEST));
        String format = r.text(root, "format");
        if (FORMAT.equals(format)) {
            return read(dir);
        }
        if (!FEATURE_FORMAT.equals(format)) {
            throw r.fail("field 'format' is '" + format + "', expected '" + FORMAT + "' or '" + FEATURE_FORMAT + "'");
        }
        int version = r.integer(root, "formatVersion");
        if (version != FEATURE_FORMAT_VERSION) {
            throw r.fail("field 'formatVersion' is " + version + "; this SDK reads version " + FEATURE_FORMAT_VERSION
                    + (version > FEATURE_FORMAT_VERSION ? " (written by a newer SDK: upgrade)" : ""));
        }
        ModelFamily family;
        try {
            family = ModelFamily.of(r.text(root, "family"));
        } catch (GyroSentinelException e) {
            throw r.fail("field 'family' is invalid: " + e.detail());
        }
        if (!family.usesFeatures()) {
            throw r.fail("field 'family' is '" + family.id() + "', not a feature family");
        }
        JsonNode fn = r.object(root, "features");
        String dc = r.text(fn, "features.dc");
        if (!dc.equals("keep") && !dc.equals("remove")) {
            throw r.fail("field 'features.dc' is '" + dc + "'; expected 'keep' or 'remove'");
        }
        SignalFeatures sf;
        try {
            sf = new SignalFeatures(r.integer(fn, "features.windowLength"), r.integer(fn, "features.channels"),
                    r.integer(fn, "features.bands"), dc.equals("keep"));
        } catch (GyroSentinelException e) {
            throw r.fail("field 'features' is invalid: " + e.detail());
        }
        double rate = r.number(root, "sampleRateHz");
        Normalization norm = normalization(r, root, sf.channels());
        Threshold threshold = threshold(r, root);
        int d = sf.size();
        List<ParameterSpec> specs = new ArrayList<>(List.of(new ParameterSpec("featureMean", new int[] {d}),
                new ParameterSpec("featureStd", new int[] {d}), new ParameterSpec("score.t", new int[] {d, d})));
        if (family == ModelFamily.FEATURES_PCA) {
            specs.add(new ParameterSpec("score.q", new int[] {d, d}));
        }
        float[][] p = readWeights(dir, r, r.object(root, "weights"), specs);
        JsonNode fit = r.object(root, "fit");
        FeatureModel.Fit f = new FeatureModel.Fit(r.integer(fit, "fit.trainingWindows"),
                r.integer(fit, "fit.validationWindows"), r.integer(fit, "fit.windowStride"),
                r.number(fit, "fit.seconds"), r.number(fit, "fit.shrinkage"), r.integer(fit, "fit.components"),
                r.number(fit, "fit.explainedVariance"));
        float[][] samples = root.has("sampleWindows")
                ? readSamples(dir, r, r.object(root, "sampleWindows"), sf.windowLength() * sf.channels())
                : new float[0][];
        try {
            return FeatureModel.of(family, sf, norm, p[0], p[1], p[2], p.length > 3 ? p[3] : new float[0], threshold,
                    rate, f).withSampleWindows(samples);
        } catch (GyroSentinelException e) {
            throw new ModelFormatException(dir, "inconsistent model: " + e.detail(), e);
        }
    }

    private static JsonNode manifestOf(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, "not a model directory (does not exist or is not a directory)");
        }
        Path manifestFile = dir.resolve(MANIFEST);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(manifestFile));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(manifestFile, "missing; this is not a GyroSentinel model directory", e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(manifestFile, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(manifestFile, "cannot read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(manifestFile, "the manifest must be a JSON object");
        }
        return root;
    }

    private static Normalization normalization(Reader r, JsonNode root, int channels) {
        JsonNode nn = r.object(root, "normalization");
        Normalization norm;
        try {
            norm = new Normalization(r.floats(nn, "normalization.mean"), r.floats(nn, "normalization.std"));
        } catch (GyroSentinelException e) {
            throw r.fail("field 'normalization' is invalid: " + e.detail());
        }
        if (norm.channels() != channels) {
            throw r.fail("field 'normalization.mean' has " + norm.channels() + " channels, the model has " + channels);
        }
        return norm;
    }

    private static Threshold threshold(Reader r, JsonNode root) {
        JsonNode tn = r.object(root, "threshold");
        String method = r.text(tn, "threshold.method");
        double parameter = r.number(tn, "threshold.parameter");
        double value = r.number(tn, "threshold.value");
        int calibrationWindows = r.integer(tn, "threshold.calibrationWindows");
        try {
            return new Threshold(ThresholdPolicy.of(method, parameter), value, calibrationWindows);
        } catch (GyroSentinelException e) {
            throw r.fail("field 'threshold' is invalid: " + e.detail());
        }
    }

    public static TrainedModel read(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        JsonNode root = manifestOf(dir);
        Path manifestFile = dir.resolve(MANIFEST);
        Reader r = new Reader(manifestFile);
        String format = r.text(root, "format");
        if (!FORMAT.equals(format)) {
            throw r.fail("field 'format' is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = r.integer(root, "formatVersion");
        if (version < FORMAT_VERSION_ONE_SAMPLE_PER_STEP || version > FORMAT_VERSION_PREPROCESSING) {
            throw r.fail("field 'formatVersion' is " + version + "; this SDK reads versions "
                    + FORMAT_VERSION_ONE_SAMPLE_PER_STEP + " to " + FORMAT_VERSION_PREPROCESSING
                    + (version > FORMAT_VERSION_PREPROCESSING ? " (written by a newer SDK: upgrade)" : ""));
        }
        boolean removeDc = false;
        if (root.has("preprocessing")) {
            String dc = r.text(r.object(root, "preprocessing"), "preprocessing.dc");
            if (!dc.equals("remove") && !dc.equals("keep")) {
                throw r.fail("field 'preprocessing.dc' is '" + dc + "'; expected 'remove' or 'keep'");
            }
            removeDc = dc.equals("remove");
        }
        JsonNode an = r.object(root, "architecture");
        ModelArchitecture arch;
        int windowLength = r.integer(an, "architecture.windowLength");
        int channels = r.integer(an, "architecture.channels");
        // Version 1 predates frames: one sample per step.
        int samplesPerStep = version == FORMAT_VERSION_ONE_SAMPLE_PER_STEP && !an.has("samplesPerStep") ? 1
                : r.integer(an, "architecture.samplesPerStep");
        if (version == FORMAT_VERSION_ONE_SAMPLE_PER_STEP && samplesPerStep != 1) {
            throw r.fail("field 'architecture.samplesPerStep' is " + samplesPerStep + " but formatVersion "
                    + version + " means one sample per step; a framed model has formatVersion " + FORMAT_VERSION);
        }
        List<Integer> encoderUnits = r.intList(an, "architecture.encoderUnits");
        List<Integer> decoderUnits = r.intList(an, "architecture.decoderUnits");
        String cellName = r.text(an, "architecture.cell");
        ModelArchitecture.Cell cell = switch (cellName) {
            case "lstm" -> ModelArchitecture.Cell.LSTM;
            case "dense" -> ModelArchitecture.Cell.DENSE;
            case "conv" -> ModelArchitecture.Cell.CONV;
            default -> throw r.fail("field 'architecture.cell' is '" + cellName
                    + "'; 'lstm', 'dense' and 'conv' are supported");
        };
        try {
            arch = new ModelArchitecture(windowLength, channels, samplesPerStep, encoderUnits, decoderUnits, cell);
        } catch (GyroSentinelException e) {
            throw r.fail("field 'architecture' is invalid: " + e.detail());
        }
        if (cell == ModelArchitecture.Cell.CONV && r.integer(an, "architecture.kernel") != ModelArchitecture.CONV_KERNEL) {
            throw r.fail("field 'architecture.kernel' is " + an.get("kernel") + "; this SDK's convolutions take "
                    + ModelArchitecture.CONV_KERNEL + " samples");
        }
        String[][] fixedFields = cell == ModelArchitecture.Cell.CONV
                ? new String[][] {{"activation", "tanh"}, {"padding", "same"}, {"score", "mean_squared_error_normalized"}}
                : cell == ModelArchitecture.Cell.DENSE
                ? new String[][] {{"activation", "tanh"}, {"score", "mean_squared_error_normalized"}}
                : new String[][] {{"gateOrder", "ifco"}, {"latentRepeat", "concatenation"},
                        {"score", "mean_squared_error_normalized"}};
        for (String[] fixed : fixedFields) {
            String v = r.text(an, "architecture." + fixed[0]);
            if (!fixed[1].equals(v)) {
                throw r.fail("field 'architecture." + fixed[0] + "' is '" + v + "'; only '" + fixed[1]
                        + "' is supported");
            }
        }
        double rate = r.number(root, "sampleRateHz");
        Normalization norm = normalization(r, root, arch.channels());
        Threshold threshold = threshold(r, root);
        float[][] params = readWeights(dir, r, r.object(root, "weights"), arch.parameterSpecs());
        TrainingHistory history = root.has("history") ? history(r, r.object(root, "history")) : null;
        float[][] samples = root.has("sampleWindows") ? readSamples(dir, r, r.object(root, "sampleWindows"), arch.windowLength() * arch.channels())
                : new float[0][];
        try {
            return TrainedModel.of(arch, norm, threshold, params, history, rate).withRemoveDc(removeDc)
                    .withSampleWindows(samples);
        } catch (GyroSentinelException e) {
            throw new ModelFormatException(dir, "inconsistent model: " + e.detail(), e);
        }
    }

    private static byte[] floats(float[][] rows) {
        int n = 0;
        for (float[] row : rows) {
            n += row.length;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float[] row : rows) {
            for (float v : row) {
                b.putFloat(v);
            }
        }
        return b.array();
    }

    private static float[][] readSamples(Path dir, Reader r, JsonNode sn, int per) {
        String fileName = r.text(sn, "sampleWindows.file");
        if (!SAMPLES.equals(fileName)) {
            throw r.fail("field 'sampleWindows.file' is '" + fileName + "', expected '" + SAMPLES + "'");
        }
        int count = r.integer(sn, "sampleWindows.count");
        long bytes = r.longValue(sn, "sampleWindows.bytes");
        if (count < 0 || bytes != 4L * per * count) {
            throw r.fail("field 'sampleWindows.bytes' is " + bytes + "; " + count + " windows of " + per
                    + " floats take " + 4L * per * count);
        }
        byte[] data = readChecked(dir.resolve(SAMPLES), bytes, r.text(sn, "sampleWindows.crc32"), "sampleWindows");
        java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] w = new float[count][per];
        for (float[] row : w) {
            fb.get(row);
        }
        return w;
    }

    /** A file the manifest describes by {@code field.bytes} and {@code field.crc32}, checked against both. */
    private static byte[] readChecked(Path file, long bytes, String crcText, String field) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "missing (the manifest refers to it)", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e, e);
        }
        if (data.length != bytes) {
            throw new ModelFormatException(file, "is " + data.length + " bytes, manifest field '" + field
                    + ".bytes' says " + bytes + " (truncated or wrong file)");
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        String actual = String.format("%08x", crc.getValue());
        if (!actual.equalsIgnoreCase(crcText)) {
            throw new ModelFormatException(file, "CRC-32 is " + actual + ", manifest field '" + field + ".crc32' says "
                    + crcText + " (corrupted)");
        }
        return data;
    }

    private static float[][] readWeights(Path dir, Reader r, JsonNode wn, List<ParameterSpec> specs) {
        String fileName = r.text(wn, "weights.file");
        if (!WEIGHTS.equals(fileName)) {
            throw r.fail("field 'weights.file' is '" + fileName + "', expected '" + WEIGHTS + "'");
        }
        if (!"float32".equals(r.text(wn, "weights.dtype")) || !"little_endian".equals(r.text(wn, "weights.byteOrder"))) {
            throw r.fail("fields 'weights.dtype'/'weights.byteOrder' must be float32/little_endian");
        }
        long bytes = r.longValue(wn, "weights.bytes");
        String crcText = r.text(wn, "weights.crc32");
        JsonNode tensors = r.array(wn, "weights.tensors");
        if (tensors.size() != specs.size()) {
            throw r.fail("field 'weights.tensors' lists " + tensors.size() + " tensors; the model needs "
                    + specs.size());
        }
        long[] offsets = new long[specs.size()];
        long expectedOffset = HEADER;
        for (int i = 0; i < specs.size(); i++) {
            JsonNode t = tensors.get(i);
            String field = "weights.tensors[" + i + "]";
            String name = r.text(t, field + ".name");
            List<Integer> shape = r.intList(t, field + ".shape");
            ParameterSpec spec = specs.get(i);
            int[] expected = spec.shape();
            boolean same = name.equals(spec.name()) && shape.size() == expected.length;
            for (int d = 0; same && d < expected.length; d++) {
                same = shape.get(d) == expected[d];
            }
            if (!same) {
                throw r.fail("field '" + field + "' is " + name + shape + ", the architecture needs " + spec);
            }
            offsets[i] = r.longValue(t, field + ".offset");
            if (offsets[i] != expectedOffset) {
                throw r.fail("field '" + field + ".offset' is " + offsets[i] + ", expected " + expectedOffset);
            }
            expectedOffset += 4L * spec.size();
        }
        if (bytes != expectedOffset) {
            throw r.fail("field 'weights.bytes' is " + bytes + " but the tensors need " + expectedOffset);
        }
        Path file = dir.resolve(WEIGHTS);
        byte[] data = readChecked(file, bytes, crcText, "weights");
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                throw new ModelFormatException(file, "bad magic (expected \"GSW1\")");
            }
        }
        if (b.getInt(4) != (bytes - HEADER) / 4) {
            throw new ModelFormatException(file, "header float count " + b.getInt(4) + " != " + (bytes - HEADER) / 4);
        }
        float[][] params = new float[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            float[] p = new float[specs.get(i).size()];
            for (int j = 0; j < p.length; j++) {
                p[j] = b.getFloat((int) offsets[i] + 4 * j);
                if (!Float.isFinite(p[j])) {
                    throw new ModelFormatException(file, "tensor " + specs.get(i).name() + "[" + j + "] is " + p[j]);
                }
            }
            params[i] = p;
        }
        return params;
    }

    private static TrainingHistory history(Reader r, JsonNode hn) {
        List<EpochReport> epochs = new ArrayList<>();
        JsonNode arr = r.array(hn, "history.epochs");
        double elapsedTotal = 0;
        for (int i = 0; i < arr.size(); i++) {
            JsonNode e = arr.get(i);
            String f = "history.epochs[" + i + "]";
            double elapsed = r.number(e, f + ".elapsedSeconds");
            elapsedTotal = elapsed;
            epochs.add(new EpochReport(r.integer(e, f + ".epoch"), r.integer(e, f + ".maxEpochs"),
                    r.number(e, f + ".trainLoss"), r.number(e, f + ".validationLoss"), r.number(e, f + ".learningRate"),
                    seconds(r.number(e, f + ".seconds")), seconds(elapsed), Duration.ZERO,
                    r.boolean_(e, f + ".improved")));
        }
        int best = r.integer(hn, "history.bestEpoch");
        if (best < 1 || best > epochs.size()) {
            throw r.fail("field 'history.bestEpoch' is " + best + " but there are " + epochs.size() + " epochs");
        }
        TrainingHistory.StopReason reason;
        try {
            reason = TrainingHistory.StopReason.valueOf(r.text(hn, "history.stopReason"));
        } catch (IllegalArgumentException e) {
            throw r.fail("field 'history.stopReason' is not one of " + List.of(TrainingHistory.StopReason.values()));
        }
        double total = hn.has("totalSeconds") ? r.number(hn, "history.totalSeconds") : elapsedTotal;
        return new TrainingHistory(epochs, best, reason, r.longValue(hn, "history.seed"),
                r.integer(hn, "history.trainingWindows"), r.integer(hn, "history.validationWindows"),
                r.integer(hn, "history.windowStride"), seconds(total));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** Typed field access that names the file and the field in every error. */
    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        ModelFormatException fail(String message) {
            return new ModelFormatException(file, message);
        }

        private JsonNode field(JsonNode parent, String path) {
            String key = path.substring(path.lastIndexOf('.') + 1);
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                throw fail("field '" + path + "' is missing");
            }
            return n;
        }

        JsonNode object(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isObject()) {
                throw fail("field '" + path + "' must be an object");
            }
            return n;
        }

        JsonNode array(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isArray()) {
                throw fail("field '" + path + "' must be an array");
            }
            return n;
        }

        String text(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isTextual()) {
                throw fail("field '" + path + "' must be a string");
            }
            return n.asText();
        }

        int integer(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isInt()) {
                throw fail("field '" + path + "' must be an integer, was " + n);
            }
            return n.intValue();
        }

        long longValue(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw fail("field '" + path + "' must be an integer, was " + n);
            }
            return n.longValue();
        }

        double number(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                throw fail("field '" + path + "' must be a finite number, was " + n);
            }
            return n.doubleValue();
        }

        boolean boolean_(JsonNode parent, String path) {
            JsonNode n = field(parent, path);
            if (!n.isBoolean()) {
                throw fail("field '" + path + "' must be true or false, was " + n);
            }
            return n.booleanValue();
        }

        List<Integer> intList(JsonNode parent, String path) {
            JsonNode arr = array(parent, path);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) {
                if (!arr.get(i).isInt()) {
                    throw fail("field '" + path + "[" + i + "]' must be an integer, was " + arr.get(i));
                }
                out.add(arr.get(i).intValue());
            }
            return out;
        }

        float[] floats(JsonNode parent, String path) {
            JsonNode arr = array(parent, path);
            float[] out = new float[arr.size()];
            for (int i = 0; i < out.length; i++) {
                if (!arr.get(i).isNumber()) {
                    throw fail("field '" + path + "[" + i + "]' must be a number, was " + arr.get(i));
                }
                out[i] = arr.get(i).floatValue();
            }
            return out;
        }
    }
}
