package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvImportTest {
    @TempDir
    Path dir;

    private Path csv(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void importsNamedColumnsWithATimeColumnAndFilter() throws IOException {
        StringBuilder sb = new StringBuilder("t,sensor,ax,ay,az,state\n");
        for (int i = 0; i < 500; i++) {
            sb.append(i * 0.01).append(",A,").append(Math.sin(i * 0.1)).append(',').append(i * 0.5).append(",-2.5,")
                    .append(i >= 400 ? "anomalous" : "normal").append('\n');
            sb.append(i * 0.01).append(",B,9,9,9,normal\n");
        }
        Path in = csv("a.csv", sb.toString());
        Path out = dir.resolve("a.gsr");
        CsvImport.Report r = CsvImport.builder().columns(List.of("ax", "ay", "az")).filter("sensor", "A")
                .timeColumn("t", CsvImport.TimeFormat.UNIX_SECONDS).labelColumn("state").unit("g").build().run(in, out);
        assertEquals(1000, r.rows());
        assertEquals(500, r.imported());
        assertEquals(500, r.filteredOut());
        assertEquals(100.0, r.sampleRateHz(), 1e-6);
        Recording rec = Recording.read(out);
        assertEquals(500, rec.samples());
        assertEquals(3, rec.channels());
        assertEquals(List.of("ax", "ay", "az"), rec.info().channelNames());
        float[] v = rec.values();
        for (int i = 0; i < 500; i++) {
            assertEquals(Math.sin(i * 0.1), v[3 * i], 1e-4);
            assertEquals(i * 0.5, v[3 * i + 1], 249.5 / 32767 + 1e-6);
            assertEquals(-2.5, v[3 * i + 2], 1e-4);
        }
        assertEquals(SessionLabel.ANOMALOUS, rec.labelAt(450));
        assertEquals(SessionLabel.NORMAL, rec.labelAt(10));
    }

    @Test
    void columnsByIndexWithoutHeaderAndAFixedRate() throws IOException {
        Path in = csv("b.csv", "1;2\n3;4\n5;6\n");
        Path out = dir.resolve("b.gsr");
        CsvImport.Report r = CsvImport.builder().delimiter(';').header(false).columns(List.of("1")).rateHz(50)
                .build().run(in, out);
        assertEquals(1, r.channels());
        assertEquals(3, r.imported());
        Recording rec = Recording.read(out);
        assertEquals(6f, rec.values()[2], 1e-3);
        assertEquals(50, rec.info().sampleRateHz());
    }

    @Test
    void isoTimesWithASpaceOrTAndTimeGapsBecomeGaps() throws IOException {
        Path in = csv("c.csv", "time,x\n2026-11-25 10:00:00.000,1\n2026-11-25T10:00:00.100,2\n"
                + "2026-11-25T10:00:00.200,3\n2026-11-25T10:00:00.600,4\n2026-11-25 10:00:00.700,5\n");
        Path out = dir.resolve("c.gsr");
        CsvImport.Report r = CsvImport.builder().columns(List.of("x")).timeColumn("time", CsvImport.TimeFormat.ISO)
                .build().run(in, out);
        assertEquals(10.0, r.sampleRateHz(), 1e-3);
        assertEquals(1, r.gaps());
        assertEquals(3, r.missingSamples());
        Recording rec = Recording.read(out);
        assertEquals(1, rec.gaps().size());
        assertEquals(6, rec.blocks().get(1).firstSample());
    }

    @Test
    void aMalformedRowNamesFileLineAndColumn() throws IOException {
        Path in = csv("d.csv", "x,y\n1,2\n3,oops\n5,6\n");
        Path out = dir.resolve("d.gsr");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> CsvImport.builder().columns(List.of("x", "y")).rateHz(10).build().run(in, out));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("column 'y'"), e.getMessage());
        assertTrue(e.getMessage().contains("oops"), e.getMessage());
        assertFalse(Files.exists(out), "no partial output");
        CsvImport.Report r = CsvImport.builder().columns(List.of("x", "y")).rateHz(10).skipBadRows(true).build()
                .run(in, out);
        assertEquals(1, r.skipped());
        assertEquals(2, r.imported());
        assertTrue(r.skippedExamples().get(0).contains("line 3"));
    }

    @Test
    void nanAndMissingColumnsAreRejected() throws IOException {
        Path in = csv("e.csv", "x,y\n1,NaN\n");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> CsvImport.builder().columns(List.of("x", "y")).rateHz(10).build().run(in, dir.resolve("e.gsr")));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        GyroSentinelException m = assertThrows(GyroSentinelException.class,
                () -> CsvImport.builder().columns(List.of("x", "z")).rateHz(10).build().run(in, dir.resolve("e.gsr")));
        assertTrue(m.getMessage().contains("'z' not found"), m.getMessage());
        assertTrue(m.getMessage().contains("[x, y]"), m.getMessage());
    }

    @Test
    void noRateAndNoTimeColumnIsAClearError() throws IOException {
        Path in = csv("f.csv", "x\n1\n2\n");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> CsvImport.builder().columns(List.of("x")).build().run(in, dir.resolve("f.gsr")));
        assertTrue(e.getMessage().contains("--rate"), e.getMessage());
    }

    @Test
    void aByteOrderMarkAndAnUnterminatedQuoteAreHandled() throws IOException {
        Path bom = csv("bom.csv", "\uFEFFt,x\n0,1\n0.1,2\n");
        CsvImport.Report r = CsvImport.builder().columns(List.of("x")).timeColumn("t", CsvImport.TimeFormat.UNIX_SECONDS)
                .build().run(bom, dir.resolve("bom.gsr"));
        assertEquals(2, r.imported());
        Path quote = csv("quote.csv", "x,y\n1,2\n3,\"4\n5,6\n");
        GyroSentinelException e = assertThrows(GyroSentinelException.class,
                () -> CsvImport.builder().columns(List.of("x", "y")).rateHz(10).build().run(quote, dir.resolve("q.gsr")));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains(quote.toString()), e.getMessage());
    }

    @Test
    void anUnknownLabelNamesLineColumnAndValue() throws IOException {
        Path in = csv("l.csv", "x,state\n1,normal\n2,maybe\n");
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> CsvImport.builder()
                .columns(List.of("x")).rateHz(10).labelColumn("state").build().run(in, dir.resolve("l.gsr")));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("'state'"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown label 'maybe'; use normal/anomalous"), e.getMessage());
    }

    @Test
    void labelRunsAreMergedAcrossBatches() throws IOException {
        StringBuilder sb = new StringBuilder("x,state\n");
        for (int i = 0; i < 1000; i++) {
            sb.append(i).append(',').append(i >= 700 ? 1 : 0).append('\n');
        }
        Path in = csv("runs.csv", sb.toString());
        CsvImport.builder().columns(List.of("x")).rateHz(100).labelColumn("state").build().run(in, dir.resolve("runs.gsr"));
        Recording rec = Recording.read(dir.resolve("runs.gsr"));
        assertEquals(2, rec.labelRuns().size(), rec.labelRuns().toString());
        assertEquals(SessionLabel.NORMAL, rec.labelAt(699));
        assertEquals(SessionLabel.ANOMALOUS, rec.labelAt(700));
    }

    @Test
    void timeStepsTooSmallToBeARateAreAnErrorNotInfinityHz() throws Exception {
        Path in = dir.resolve("tiny.csv");
        StringBuilder sb = new StringBuilder("t,x\n");
        for (int i = 0; i < 10; i++) {
            sb.append(i * Double.MIN_VALUE).append(',').append(i).append('\n');
        }
        java.nio.file.Files.writeString(in, sb.toString());
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> CsvImport.builder()
                .columns(List.of("x")).timeColumn("t", CsvImport.TimeFormat.UNIX_SECONDS).build()
                .run(in, dir.resolve("tiny.gsr")));
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(e.getMessage().contains("not a sample rate") || e.getMessage().contains("does not advance"),
                e.getMessage());
        assertFalse(java.nio.file.Files.exists(dir.resolve("tiny.gsr")), "nothing half-written");
    }
}
