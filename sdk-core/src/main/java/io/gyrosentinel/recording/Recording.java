package io.gyrosentinel.recording;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.Gap;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.RecordEntry;
import io.gyrosentinel.internal.wire.v1.RecordingFooter;
import io.gyrosentinel.internal.wire.v1.RecordingHeader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A recording read into memory: session information, sample blocks (with gaps), per-sample
 * label runs, inference results and events. See docs/recording-format.md for the format.
 *
 * <pre>{@code
 * Recording r = Recording.read(Path.of("normal.gsr"));
 * float[] xyz = r.values();            // all samples, interleaved, physical units
 * System.out.println(r.samples() + " samples at " + r.info().sampleRateHz() + " Hz, "
 *     + r.gaps().size() + " gaps");
 * }</pre>
 */
public final class Recording {
    /** Conventional file extension. */
    public static final String EXTENSION = ".gsr";

    /**
     * A run of samples with a label.
     *
     * @param firstSample index of the run's first sample (the stream's numbering)
     * @param count       number of samples in the run
     * @param label       the label of these samples
     */
    public record LabelRun(long firstSample, long count, SessionLabel label) {
    }

    private final Path path;
    private final SessionInfo info;
    private final SensorConfig config;
    private final DeviceInfo device;
    private final long createdUnixMs;
    private final List<SampleBlock> blocks;
    private final List<Gap> gaps;
    private final List<LabelRun> labelRuns;
    private final LabelRun[] sortedRuns;
    private final List<InferenceResult> results;
    private final List<AnomalyEvent> events;
    private final boolean complete;
    private final long samples;

    private Recording(Path path, SessionInfo info, SensorConfig config, DeviceInfo device, long createdUnixMs,
                      List<SampleBlock> blocks, List<Gap> gaps, List<LabelRun> labelRuns, List<InferenceResult> results,
                      List<AnomalyEvent> events, boolean complete) {
        this.path = path;
        this.info = info;
        this.config = config;
        this.device = device;
        this.createdUnixMs = createdUnixMs;
        this.blocks = Collections.unmodifiableList(blocks);
        this.gaps = Collections.unmodifiableList(gaps);
        this.labelRuns = Collections.unmodifiableList(labelRuns);
        this.sortedRuns = labelRuns.toArray(new LabelRun[0]);
        Arrays.sort(sortedRuns, java.util.Comparator.comparingLong(LabelRun::firstSample));
        this.results = Collections.unmodifiableList(results);
        this.events = Collections.unmodifiableList(events);
        this.complete = complete;
        long n = 0;
        for (SampleBlock b : blocks) {
            n += b.count();
        }
        this.samples = n;
    }

    /**
     * Reads a complete recording.
     *
     * @param path the recording file (usually ending in {@link #EXTENSION})
     * @return the recording
     * @throws GyroSentinelException {@code BAD_RECORDING} for a file that is not a recording, is
     *                               corrupt or truncated (the message says where); {@code IO} when it cannot be read
     */
    public static Recording read(Path path) {
        return read(path, false);
    }

    /**
     * Reads a recording; with {@code lenient}, a truncated file (no footer, or cut inside an
     * entry) yields the complete entries before the cut instead of an error.
     *
     * @param path    the recording file
     * @param lenient accept a truncated file, keeping what precedes the cut ({@link #complete()} then says {@code
     *                false})
     * @return the recording
     * @throws GyroSentinelException {@code BAD_RECORDING} for a file that is not a recording or is corrupt (or
     *         truncated when not {@code lenient}); {@code IO} when it cannot be read
     */
    public static Recording read(Path path, boolean lenient) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new GyroSentinelException(ErrorCode.IO, "recording " + path + " does not exist", e);
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot read recording " + path + ": " + e.getMessage(), e);
        }
        byte[] magic = RecordingFormat.MAGIC;
        if (bytes.length < magic.length || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            if (bytes.length >= 7 && new String(bytes, 0, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("GSREC")) {
                throw bad(path, "recording format version " + (bytes[6] & 0xFF) + " is not supported (this SDK reads "
                        + "version " + RecordingFormat.VERSION + ")");
            }
            throw bad(path, "not a GyroSentinel recording (the file does not start with the GSREC magic)");
        }
        int pos = magic.length;
        CodedInputStream in = CodedInputStream.newInstance(bytes, pos, bytes.length - pos);
        RecordingHeader header;
        try {
            int len = in.readRawVarint32();
            if (len < 0 || len > bytes.length - pos) {
                throw bad(path, "header at byte " + pos + " is truncated");
            }
            header = RecordingHeader.parseFrom(in.readRawBytes(len));
        } catch (IOException e) {
            throw bad(path, "header at byte " + pos + " is corrupt: " + e.getMessage());
        }
        SessionInfo info = info(header);
        SensorConfig config = header.hasSensorConfig() ? WireCodec.fromWire(header.getSensorConfig()) : null;
        DeviceInfo device = header.hasDevice() ? WireCodec.fromWire(header.getDevice()) : null;
        float[] scale = info.channelScale();
        int ch = info.channels();
        if (ch < 1) {
            throw bad(path, "header declares no channels");
        }
        List<SampleBlock> blocks = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        List<LabelRun> runs = new ArrayList<>();
        List<InferenceResult> results = new ArrayList<>();
        List<AnomalyEvent> events = new ArrayList<>();
        long nextSample = 0;
        long pendingMissing = 0;
        long entry = 0;
        RecordingFooter footer = null;
        try {
            while (!in.isAtEnd()) {
                int at = pos + in.getTotalBytesRead();
                int len;
                try {
                    len = in.readRawVarint32();
                } catch (InvalidProtocolBufferException e) {
                    if (lenient) {
                        break;
                    }
                    throw bad(path, "truncated at byte " + at + " (entry #" + entry + " has an incomplete length); "
                            + "the recording was not closed properly. Read it with lenient=true to keep the "
                            + entry + " complete entries");
                }
                int left = bytes.length - (pos + in.getTotalBytesRead());
                if (len < 0 || len > left) {
                    if (lenient) {
                        break;
                    }
                    throw bad(path, "truncated at byte " + at + ": entry #" + entry + " declares " + len
                            + " bytes but only " + left + " remain; the recording was not closed properly. Read it "
                            + "with lenient=true to keep the " + entry + " complete entries");
                }
                byte[] body = in.readRawBytes(len);
                if (footer != null) {
                    throw bad(path, "data after the footer at byte " + at);
                }
                RecordEntry e;
                try {
                    e = RecordEntry.parseFrom(body);
                } catch (InvalidProtocolBufferException ex) {
                    throw bad(path, "entry #" + entry + " at byte " + at + " is corrupt: " + ex.getMessage());
                }
                switch (e.getEntryCase()) {
                    case BATCH -> {
                        var b = e.getBatch();
                        short[] raw = WireCodec.toShorts(b.getData());
                        if (b.getCount() <= 0 || raw.length != (long) b.getCount() * ch) {
                            throw bad(path, "entry #" + entry + " at byte " + at + ": batch of " + b.getCount()
                                    + " samples holds " + raw.length + " values, expected " + (long) b.getCount() * ch
                                    + " (" + ch + " channels)");
                        }
                        blocks.add(new SampleBlock(Integer.toUnsignedLong(b.getSequence()), nextSample, b.getTimestampUs(),
                                Integer.toUnsignedLong(b.getSamplePeriodNs()), b.getCount(), ch, raw, scale, pendingMissing));
                        pendingMissing = 0;
                        nextSample += b.getCount();
                    }
                    case GAP -> {
                        var g = e.getGap();
                        gaps.add(new Gap(nextSample, g.getMissingSamples(), g.getMissingBatches(),
                                g.getMissingSamples() == 0 ? Gap.Cause.BOUNDARY : Gap.Cause.RECORDED));
                        nextSample += g.getMissingSamples();
                        pendingMissing += g.getMissingSamples();
                    }
                    case LABEL_RUN -> {
                        var r = e.getLabelRun();
                        runs.add(new LabelRun(r.getFirstSample(), r.getCount(), label(r.getLabel())));
                    }
                    case RESULT -> results.add(WireCodec.fromWire(e.getResult()));
                    case EVENT -> events.add(WireCodec.fromWire(e.getEvent()));
                    case FOOTER -> footer = e.getFooter();
                    case TELEMETRY, ENTRY_NOT_SET -> { } // unknown entries of a newer writer are skipped
                }
                entry++;
            }
        } catch (IOException e) {
            throw bad(path, "cannot parse entry #" + entry + ": " + e.getMessage());
        }
        if (footer == null && !lenient) {
            throw bad(path, "truncated: no footer after " + entry + " entries; the recording was not closed "
                    + "properly. Read it with lenient=true to keep what is there");
        }
        if (footer != null) {
            long s = 0;
            for (SampleBlock b : blocks) {
                s += b.count();
            }
            if (footer.getSamples() != s) {
                throw bad(path, "footer says " + footer.getSamples() + " samples but the entries hold " + s);
            }
        }
        return new Recording(path, info, config, device, header.getCreatedUnixMs(), blocks, gaps, runs, results, events,
                footer != null);
    }

    private static SessionLabel label(io.gyrosentinel.internal.wire.v1.SessionLabel l) {
        return switch (l) {
            case NORMAL -> SessionLabel.NORMAL;
            case ANOMALOUS -> SessionLabel.ANOMALOUS;
            default -> SessionLabel.UNLABELLED;
        };
    }

    private static SessionInfo info(RecordingHeader h) {
        float[] scale = new float[h.getChannelScaleCount()];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = h.getChannelScale(i);
        }
        List<String> names = new ArrayList<>(h.getChannelNamesList());
        while (names.size() < scale.length) {
            names.add("ch" + names.size());
        }
        return new SessionInfo(label(h.getLabel()), h.getMachineId(), h.getTagsMap(), h.getNotes(),
                names.subList(0, scale.length), scale, h.getUnit(), h.getSampleRateHz(), h.getSource());
    }

    private static GyroSentinelException bad(Path path, String msg) {
        return new GyroSentinelException(ErrorCode.BAD_RECORDING, "recording " + path + ": " + msg);
    }

    /** {@return the file this recording was read from} */
    public Path path() { return path; }
    /** {@return the session information: label, machine, tags, channel names and scales, sample rate} */
    public SessionInfo info() { return info; }
    /** {@return the sensor configuration, or {@code null} for imported data} */
    public SensorConfig config() { return config; }
    /** {@return the device, or {@code null} for imported data} */
    public DeviceInfo device() { return device; }
    /** {@return when the recording was created, ms since the Unix epoch} */
    public long createdUnixMs() { return createdUnixMs; }
    /** {@return the sample blocks in order (unmodifiable); {@link SampleBlock#missingBefore()} marks the gaps} */
    public List<SampleBlock> blocks() { return blocks; }
    /** {@return the gaps and segment boundaries in order (unmodifiable)} */
    public List<Gap> gaps() { return gaps; }
    /**
     * {@return the per-sample label runs as written (unmodifiable); samples outside them have the session's label}
     */
    public List<LabelRun> labelRuns() { return labelRuns; }
    /** {@return the inference results recorded with the samples (unmodifiable)} */
    public List<InferenceResult> results() { return results; }
    /** {@return the anomaly events recorded with the samples (unmodifiable)} */
    public List<AnomalyEvent> events() { return events; }
    /** {@return {@code false} when read leniently from a truncated file} */
    public boolean complete() { return complete; }
    /** {@return the number of samples present (missing ones excluded)} */
    public long samples() { return samples; }
    /** {@return the number of channels per sample} */
    public int channels() { return info.channels(); }

    /**
     * {@return all present samples in physical units, interleaved (a new array of {@code samples() * channels()})}
     */
    public float[] values() {
        float[] out = new float[Math.toIntExact(samples * info.channels())];
        int off = 0;
        for (SampleBlock b : blocks) {
            b.values(out, off);
            off += b.count() * b.channels();
        }
        return out;
    }

    /** {@return the blocks grouped into contiguous runs: a new run starts at every gap (also one of zero samples)} */
    public List<List<SampleBlock>> runs() {
        // A gap record ends a run even when it counts no missing samples: an importer marks a clock that stepped
        // backwards that way (the samples are contiguous in count, their times are not).
        java.util.Set<Long> breaks = new java.util.HashSet<>();
        for (Gap g : gaps) {
            breaks.add(g.atSample() + g.missingSamples());
        }
        List<List<SampleBlock>> out = new ArrayList<>();
        List<SampleBlock> run = new ArrayList<>();
        for (SampleBlock b : blocks) {
            if ((b.missingBefore() > 0 || breaks.contains(b.firstSample())) && !run.isEmpty()) {
                out.add(run);
                run = new ArrayList<>();
            }
            run.add(b);
        }
        if (!run.isEmpty()) {
            out.add(run);
        }
        return out;
    }

    /**
     * Contiguous runs of samples (split at gaps), each in physical units, interleaved, in the
     * order of {@link #runs()}. Windows must not span gaps: train and score on segments.
     *
     * @return one new array per run, physical units, interleaved
     */
    public List<float[]> segments() {
        List<float[]> out = new ArrayList<>();
        for (List<SampleBlock> run : runs()) {
            out.add(concat(run));
        }
        return out;
    }

    private static float[] concat(List<SampleBlock> run) {
        int n = 0;
        for (SampleBlock b : run) {
            n += b.count() * b.channels();
        }
        float[] out = new float[n];
        int off = 0;
        for (SampleBlock b : run) {
            b.values(out, off);
            off += b.count() * b.channels();
        }
        return out;
    }

    /**
     * The label of sample {@code index}: its label run, else the session label. O(log runs).
     *
     * @param index a sample index (the stream's numbering)
     * @return the label of that sample
     */
    public SessionLabel labelAt(long index) {
        int lo = 0;
        int hi = sortedRuns.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            LabelRun r = sortedRuns[mid];
            if (index < r.firstSample()) {
                hi = mid - 1;
            } else if (index >= r.firstSample() + r.count()) {
                lo = mid + 1;
            } else {
                return r.label();
            }
        }
        return info.label();
    }
}
