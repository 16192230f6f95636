package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RecordingTest {
    @TempDir
    Path dir;

    private Path recordFromSim(String name, long samples) throws Exception {
        Path out = dir.resolve(name);
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false&seed=3")) {
            SessionInfo info = RecordingWriter.deviceSession(SessionLabel.NORMAL, "fan-1", c.config(), "device:" + c.uri())
                    .withTags(Map.of("site", "plant-a"));
            try (RecordingWriter w = RecordingWriter.create(out, info, c.config(), c.info());
                 GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(samples))) {
                AutoCloseable h = s.collectTo(w);
                while (s.poll(Duration.ofSeconds(5)) != null) {
                    // drain
                }
                h.close(); // waits until the collector has written everything
            }
        }
        return out;
    }

    @Test
    void aStreamRecordsAndReadsBackIdentically() throws Exception {
        Path p = recordFromSim("normal.gsr", 4800);
        Recording r = Recording.read(p);
        assertEquals(4800, r.samples());
        assertEquals(SessionLabel.NORMAL, r.info().label());
        assertEquals("fan-1", r.info().machineId());
        assertEquals("plant-a", r.info().tags().get("site"));
        assertEquals(SensorConfig.defaults(), r.config());
        assertEquals("virtual-1", r.device().deviceId());
        assertEquals(java.util.List.of("x", "y", "z"), r.info().channelNames());
        assertEquals(0, r.gaps().size());
        assertTrue(r.complete());
        assertEquals(4800 * 3, r.values().length);
        // replay gives the same blocks
        try (GyroStream s = io.gyrosentinel.stream.GyroStream.replay(p, false)) {
            long n = 0;
            SampleBlock b;
            int i = 0;
            while ((b = s.poll(Duration.ofSeconds(5))) != null) {
                assertArrayEquals(r.blocks().get(i++).raw(), b.raw());
                n += b.count();
            }
            assertEquals(4800, n);
        }
    }

    @Test
    void gapsSurviveTheRoundTrip() {
        Path p = dir.resolve("gaps.gsr");
        SessionInfo info = new SessionInfo(SessionLabel.ANOMALOUS, "m", Map.of(), "", java.util.List.of("a"),
                new float[] {0.5f}, "g", 100, "test");
        try (RecordingWriter w = RecordingWriter.create(p, info, null, null)) {
            w.append(new short[] {1, 2, 3}, 3, 0, 0, 10_000_000);
            w.writeGap(3, 7, 1, "test");
            w.append(new short[] {4, 5}, 2, 2, 100_000, 10_000_000);
            w.writeLabelRun(10, 2, SessionLabel.NORMAL);
        }
        Recording r = Recording.read(p);
        assertEquals(5, r.samples());
        assertEquals(1, r.gaps().size());
        assertEquals(7, r.gaps().get(0).missingSamples());
        assertEquals(10, r.blocks().get(1).firstSample());
        assertEquals(7, r.blocks().get(1).missingBefore());
        assertEquals(2, r.segments().size());
        assertEquals(2.5f, r.blocks().get(1).value(1, 0));
        assertEquals(SessionLabel.NORMAL, r.labelAt(11));
        assertEquals(SessionLabel.ANOMALOUS, r.labelAt(0));
    }

    @Test
    void anAbortedWriterLeavesNothingBehind() throws IOException {
        Path p = dir.resolve("aborted.gsr");
        SessionInfo info = RecordingWriter.deviceSession(SessionLabel.NORMAL, "", SensorConfig.defaults(), "t");
        RecordingWriter w = RecordingWriter.create(p, info, SensorConfig.defaults(), null);
        w.append(new short[48 * 3], 48, 0, 0, 1_000_000);
        w.abort();
        assertFalse(Files.exists(p));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left");
        }
    }

    @Test
    void anUnclosedWriterDoesNotReplaceAnExistingRecording() throws Exception {
        Path p = recordFromSim("keep.gsr", 480);
        byte[] before = Files.readAllBytes(p);
        SessionInfo info = RecordingWriter.deviceSession(SessionLabel.NORMAL, "", SensorConfig.defaults(), "t");
        RecordingWriter w = RecordingWriter.create(p, info, SensorConfig.defaults(), null);
        w.append(new short[48 * 3], 48, 0, 0, 1_000_000);
        // not closed yet: the old file is intact
        assertArrayEquals(before, Files.readAllBytes(p));
        w.abort();
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void aTruncatedRecordingIsAClearErrorAndCanBeReadLeniently() throws Exception {
        Path p = recordFromSim("cut.gsr", 4800);
        byte[] all = Files.readAllBytes(p);
        Path cut = dir.resolve("cut-short.gsr");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 150));
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> Recording.read(cut));
        assertEquals(ErrorCode.BAD_RECORDING, e.code());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        Recording partial = Recording.read(cut, true);
        assertFalse(partial.complete());
        assertTrue(partial.samples() > 4000 && partial.samples() < 4800, "partial " + partial.samples());
    }

    @Test
    void aFileThatIsNotARecordingSaysSo() throws IOException {
        Path p = dir.resolve("notes.txt");
        Files.writeString(p, "hello world");
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> Recording.read(p));
        assertEquals(ErrorCode.BAD_RECORDING, e.code());
        assertTrue(e.getMessage().contains("not a GyroSentinel recording"), e.getMessage());
        GyroSentinelException missing = assertThrows(GyroSentinelException.class,
                () -> Recording.read(dir.resolve("nope.gsr")));
        assertTrue(missing.getMessage().contains("does not exist"));
    }

    @Test
    void aCorruptEntryIsReportedWithItsPosition() throws Exception {
        Path p = recordFromSim("corrupt.gsr", 960);
        byte[] all = Files.readAllBytes(p);
        // find the first entry after the header and give its body an invalid tag (wire type 7)
        var in = com.google.protobuf.CodedInputStream.newInstance(all, 8, all.length - 8);
        int headerLen = in.readRawVarint32();
        int entryPos = 8 + in.getTotalBytesRead() + headerLen;
        var in2 = com.google.protobuf.CodedInputStream.newInstance(all, entryPos, all.length - entryPos);
        in2.readRawVarint32();
        all[entryPos + in2.getTotalBytesRead()] = (byte) 0xFF;
        Path bad = dir.resolve("bad.gsr");
        Files.write(bad, all);
        GyroSentinelException e = assertThrows(GyroSentinelException.class, () -> Recording.read(bad));
        assertEquals(ErrorCode.BAD_RECORDING, e.code());
        assertTrue(e.getMessage().contains("entry #0 at byte " + entryPos), e.getMessage());
    }

    @Test
    void csvExportWritesOneRowPerSample() throws Exception {
        Path p = recordFromSim("export.gsr", 96);
        Path csv = dir.resolve("export.csv");
        assertEquals(96, CsvExport.write(Recording.read(p), csv));
        var lines = Files.readAllLines(csv);
        assertEquals("sample,timestamp_us,x,y,z,label", lines.get(0));
        assertEquals(97, lines.size());
        assertNotNull(lines.get(96));
        assertTrue(lines.get(1).startsWith("0,"));
        assertTrue(lines.get(1).endsWith(",normal"));
    }

    @Test
    void aFinishedRecordingIsReadableByOthersLikeAnyFile() throws Exception {
        Path p = recordFromSim("perm.gsr", 96);
        var perms = java.nio.file.Files.getPosixFilePermissions(p);
        assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ), perms.toString());
    }

    @Test
    void aFileOfJustTheMagicPrefixIsABadRecordingNotACrash() throws Exception {
        Path f = dir.resolve("stub.gsr");
        for (byte[] content : new byte[][] {"GSREC\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                "GSREC".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), new byte[0]}) {
            java.nio.file.Files.write(f, content);
            io.gyrosentinel.GyroSentinelException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.gyrosentinel.GyroSentinelException.class, () -> Recording.read(f));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void aDiskThatFillsUpWhileRecordingIsAClearErrorAndLeavesNoFileBehind() throws Exception {
        // a 256 KiB file system: a 960 Hz stream fills it within seconds
        try (java.nio.file.FileSystem fs = com.google.common.jimfs.Jimfs.newFileSystem(
                com.google.common.jimfs.Configuration.unix().toBuilder().setMaxSize(256 * 1024).build())) {
            Path rec = fs.getPath("/data/full.gsr");
            java.nio.file.Files.createDirectories(rec.getParent());
            io.gyrosentinel.GyroSentinelException e = null;
            try (DeviceClient c = DeviceClient.connect("sim:?realtime=false&seed=3");
                 RecordingWriter w = RecordingWriter.create(rec, RecordingWriter.deviceSession(SessionLabel.NORMAL, "m",
                         c.config(), "sim"), c.config(), c.info());
                 GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(500_000))) {
                for (SampleBlock b; (b = s.poll(Duration.ofSeconds(5))) != null && e == null; ) {
                    try {
                        w.onBlock(b);
                    } catch (io.gyrosentinel.GyroSentinelException full) {
                        e = full;
                    }
                }
            } catch (io.gyrosentinel.GyroSentinelException onClose) {
                e = e == null ? onClose : e; // the writer may only notice at close (buffered writes)
            }
            org.junit.jupiter.api.Assertions.assertNotNull(e, "the full disk was noticed");
            org.junit.jupiter.api.Assertions.assertEquals(io.gyrosentinel.ErrorCode.IO, e.code());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("full.gsr"), e.getMessage());
            try (var files = java.nio.file.Files.list(rec.getParent())) {
                org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), files.toList(),
                        "no recording and no temporary file left behind");
            }
        }
    }
}
