package io.gyrosentinel.training;

import io.gyrosentinel.recording.SessionLabel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.training.internal.ModelDirectory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
    static TrainedModel model;
    static List<TimeSeries> evalData;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        model = TrainingBehaviourTest.quick().build().train(TrainingBehaviourTest.SMALL);
        evalData = List.of(new MachineSignal().generate("n", 3, 8, SessionLabel.NORMAL),
                new MachineSignal().imbalance(1.5).generate("imb", 3, 9, SessionLabel.ANOMALOUS));
    }

    @Test
    void aSavedModelLoadsWithIdenticalScoresAndMetadata() {
        Path dir = tmp.resolve("model");
        model.save(dir);
        TrainedModel back = TrainedModel.load(dir);
        assertEquals(model.architecture(), back.architecture());
        assertEquals(model.normalization(), back.normalization());
        assertEquals(model.threshold(), back.threshold());
        assertEquals(model.sampleRateHz(), back.sampleRateHz());
        float[][] a = model.parameters();
        float[][] b = back.parameters();
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        TrainingHistory h = model.history();
        TrainingHistory hb = back.history();
        assertEquals(h.bestEpoch(), hb.bestEpoch());
        assertEquals(h.stopReason(), hb.stopReason());
        assertEquals(h.seed(), hb.seed());
        assertEquals(h.epochs().size(), hb.epochs().size());
        assertEquals(h.epochs().get(1).validationLoss(), hb.epochs().get(1).validationLoss());
        List<WindowScore> sa = model.evaluate(evalData).windows();
        List<WindowScore> sb = back.evaluate(evalData).windows();
        assertEquals(sa, sb);
    }

    @Test
    void aTrainedModelKeepsABoundedSampleOfItsWindowsAndADamagedSampleFileIsRefused() throws IOException {
        float[][] w = model.sampleWindows();
        assertTrue(w.length > 10 && w.length <= AutoencoderTrainer.SAMPLE_WINDOWS, "windows kept: " + w.length);
        assertEquals(model.architecture().windowLength() * model.architecture().channels(), w[0].length);
        Path dir = tmp.resolve("with-samples");
        model.save(dir);
        float[][] back = TrainedModel.load(dir).sampleWindows();
        assertEquals(w.length, back.length);
        for (int i = 0; i < w.length; i++) {
            assertArrayEquals(w[i], back[i]);
        }
        Path f = dir.resolve(ModelDirectory.SAMPLES);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x10;
        Files.write(f, b);
        ModelFormatException e = loadFails(dir);
        assertTrue(e.getMessage().contains("sampleWindows.crc32") && e.getMessage().contains("corrupted"),
                e.getMessage());
    }

    @Test
    void savingIntoANonEmptyDirectoryFailsAndLeavesItUntouched() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(dir.resolve("keep.txt"), "x");
        io.gyrosentinel.GyroSentinelException e = assertThrows(io.gyrosentinel.GyroSentinelException.class,
                () -> model.save(dir));
        assertEquals(io.gyrosentinel.ErrorCode.IO, e.code());
        assertTrue(e.getMessage().contains("not an empty directory"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("keep.txt")), s.toList());
        }
        assertOnlyEntries("busy");
    }

    @Test
    void aFailureDuringSaveLeavesNoPartialModel() {
        Path dir = tmp.resolve("model");
        assertThrows(IllegalStateException.class, () -> ModelDirectory.write(model, dir, p -> {
            throw new IllegalStateException("disk full (simulated)");
        }));
        assertFalse(Files.exists(dir));
        assertOnlyEntries();
    }

    private void assertOnlyEntries(String... names) {
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(names), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary directories left behind");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path saved() {
        Path dir = tmp.resolve("m");
        model.save(dir);
        return dir;
    }

    private static ModelFormatException loadFails(Path dir) {
        return assertThrows(ModelFormatException.class, () -> TrainedModel.load(dir));
    }

    @Test
    void aFlippedWeightByteIsReportedAsCorruption() throws IOException {
        Path dir = saved();
        Path w = dir.resolve("weights.bin");
        byte[] bytes = Files.readAllBytes(w);
        bytes[100] ^= 0x10;
        Files.write(w, bytes);
        ModelFormatException e = loadFails(dir);
        assertEquals(w, e.file());
        assertTrue(e.getMessage().contains("CRC-32") && e.getMessage().contains("weights.crc32"), e.getMessage());
    }

    @Test
    void aTruncatedWeightFileIsReported() throws IOException {
        Path dir = saved();
        Path w = dir.resolve("weights.bin");
        byte[] bytes = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertTrue(loadFails(dir).getMessage().contains("truncated"));
    }

    @Test
    void aMissingOrMistypedManifestFieldIsNamed() throws IOException {
        Path dir = saved();
        Path m = dir.resolve("manifest.json");
        String json = Files.readString(m, StandardCharsets.UTF_8);
        Files.writeString(m, json.replaceFirst("\"windowLength\"", "\"windowLen\""));
        ModelFormatException e = loadFails(dir);
        assertEquals(m, e.file());
        assertTrue(e.getMessage().contains("'architecture.windowLength' is missing"), e.getMessage());
        Files.writeString(m, json.replaceFirst("\"value\" : [0-9.eE-]+", "\"value\" : \"high\""));
        assertTrue(loadFails(dir).getMessage().contains("'threshold.value' must be a finite number"));
        Files.writeString(m, json.replaceFirst("\"formatVersion\" : \\d+", "\"formatVersion\" : 9"));
        assertTrue(loadFails(dir).getMessage().contains("newer SDK"));
        Files.writeString(m, json.substring(0, json.length() / 2));
        assertTrue(loadFails(dir).getMessage().contains("not valid JSON"));
    }

    @Test
    void framesAreSavedAsFormatVersion2() throws IOException {
        assertEquals(5, model.architecture().samplesPerStep(), "window 20 defaults to frames of 5");
        String json = Files.readString(saved().resolve("manifest.json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"formatVersion\" : 2"), json);
        assertTrue(json.contains("\"samplesPerStep\" : 5"), json);
    }

    /** A model written before frames existed (formatVersion 1, no samplesPerStep) loads as one sample per step. */
    @Test
    void aVersion1ModelLoadsAsOneSamplePerStep() throws IOException {
        TrainedModel one = TrainingBehaviourTest.quick().samplesPerStep(1).maxEpochs(1).build()
                .train(TrainingBehaviourTest.SMALL);
        Path dir = tmp.resolve("v1");
        one.save(dir);
        Path m = dir.resolve("manifest.json");
        String json = Files.readString(m, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"formatVersion\" : 1"), json);
        Files.writeString(m, json.replaceFirst("\"samplesPerStep\" : 1,", ""));
        TrainedModel back = TrainedModel.load(dir);
        assertEquals(1, back.architecture().samplesPerStep());
        assertEquals(one.evaluate(evalData).windows(), back.evaluate(evalData).windows());
        // Version 1 cannot carry frames: a framed model saying version 1 was edited or mis-written.
        Files.writeString(m, json.replaceFirst("\"samplesPerStep\" : 1", "\"samplesPerStep\" : 5"));
        assertTrue(loadFails(dir).getMessage().contains("'architecture.samplesPerStep' is 5 but formatVersion 1"));
    }

    @Test
    void anArchitectureThatDoesNotMatchTheWeightsIsReported() throws IOException {
        Path dir = saved();
        Path m = dir.resolve("manifest.json");
        String json = Files.readString(m, StandardCharsets.UTF_8);
        Files.writeString(m, json.replaceFirst("\"encoderUnits\" : \\[ 8, 4 \\]", "\"encoderUnits\" : [ 8, 5 ]"));
        ModelFormatException e = loadFails(dir);
        assertTrue(e.getMessage().contains("weights.tensors["), e.getMessage());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path dir = saved();
        Files.delete(dir.resolve("weights.bin"));
        assertEquals(dir.resolve("weights.bin"), loadFails(dir).file());
        Files.delete(dir.resolve("manifest.json"));
        assertTrue(loadFails(dir).getMessage().contains("manifest.json: missing"));
        assertTrue(loadFails(tmp.resolve("nowhere")).getMessage().contains("not a model directory"));
    }

    @Test
    void perWindowScoresExportAsCsv() throws IOException {
        EvaluationReport report = model.evaluate(evalData, 20);
        StringWriter w = new StringWriter();
        report.writeCsv(w);
        String[] lines = w.toString().split("\n");
        assertEquals("series,series_name,start,end,label,score,threshold,alarm", lines[0]);
        assertEquals(report.windows().size() + 1, lines.length);
        assertTrue(lines[1].startsWith("0,n,0,20,normal,"), lines[1]);
        Path file = tmp.resolve("scores.csv");
        report.writeCsv(file);
        assertEquals(lines.length, Files.readAllLines(file).size());
    }
}
