package io.gyrosentinel.recording;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.Gap;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.collect.Collector;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.GapRecord;
import io.gyrosentinel.internal.wire.v1.LabelRun;
import io.gyrosentinel.internal.wire.v1.RecordEntry;
import io.gyrosentinel.internal.wire.v1.RecordingFooter;
import io.gyrosentinel.internal.wire.v1.RecordingHeader;
import io.gyrosentinel.internal.wire.v1.SampleBatch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import io.gyrosentinel.io.AtomicFiles;
import java.nio.file.StandardOpenOption;

/**
 * Writes a recording atomically: everything goes to a hidden temporary file beside the target,
 * which replaces the target only when {@link #close()} completes (footer written, data synced).
 * A writer that fails or is {@link #abort() aborted} leaves nothing behind. Also a
 * {@link Collector}, so a stream can record into it directly:
 *
 * <pre>{@code
 * try (RecordingWriter w = RecordingWriter.create(path, info, stream.config(), dev.info())) {
 *     AutoCloseable h = stream.collectTo(w);
 *     ... stream.close(); h.close();   // h.close() waits until every block is written
 * }
 * }</pre>
 */
public final class RecordingWriter implements Collector {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private final SessionInfo info;
    private long samples;
    private long batches;
    private long gaps;
    private long missing;
    private long entries;
    private long nextSample;
    private boolean closed;
    private boolean failed;

    private RecordingWriter(Path target, SessionInfo info, SensorConfig config, DeviceInfo device) {
        this.target = target.toAbsolutePath();
        this.info = info;
        Path tmp = null;
        FileChannel ch = null;
        try {
            tmp = AtomicFiles.temporaryBeside(this.target, false);
            ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            this.temp = tmp;
            this.channel = ch;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            out.write(RecordingFormat.MAGIC);
            RecordingHeader.Builder h = RecordingHeader.newBuilder()
                    .setFormatVersion(RecordingFormat.VERSION)
                    .setCreatedUnixMs(System.currentTimeMillis())
                    .setLabel(switch (info.label()) {
                        case NORMAL -> io.gyrosentinel.internal.wire.v1.SessionLabel.NORMAL;
                        case ANOMALOUS -> io.gyrosentinel.internal.wire.v1.SessionLabel.ANOMALOUS;
                        case UNLABELLED -> io.gyrosentinel.internal.wire.v1.SessionLabel.SESSION_LABEL_UNSPECIFIED;
                    })
                    .setMachineId(info.machineId())
                    .putAllTags(info.tags())
                    .setNotes(info.notes())
                    .addAllChannelNames(info.channelNames())
                    .setUnit(info.unit())
                    .setSampleRateHz(info.sampleRateHz())
                    .setSource(info.source());
            for (float s : info.channelScale()) {
                h.addChannelScale(s);
            }
            if (config != null) {
                h.setSensorConfig(WireCodec.toWire(config));
            }
            if (device != null) {
                h.setDevice(WireCodec.toWire(device));
            }
            h.build().writeDelimitedTo(out);
        } catch (IOException | RuntimeException e) {
            // nothing half-written stays behind
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the file is deleted next
                }
            }
            if (tmp != null) {
                AtomicFiles.deleteQuietly(tmp);
            }
            if (e instanceof GyroSentinelException g) {
                throw g;
            }
            throw new GyroSentinelException(ErrorCode.IO, "cannot create recording " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a recording of a device stream or of imported data.
     *
     * @param target the recording file; it appears (or is replaced) only when {@link #close()} completes
     * @param info   session information (label, channel names and scales, sample rate)
     * @param config the sensor configuration, or {@code null} for imported data
     * @param device the device, or {@code null} for imported data
     * @return the open writer; close it to finish the file, or {@link #abort()} it
     * @throws GyroSentinelException {@link ErrorCode#IO} when the temporary file cannot be created
     */
    public static RecordingWriter create(Path target, SessionInfo info, SensorConfig config, DeviceInfo device) {
        return new RecordingWriter(target, info, config, device);
    }

    /**
     * A {@link SessionInfo} for a device stream in dps.
     *
     * Channels are named after the enabled axes ({@code x}, {@code y}, {@code z}), scaled by the configuration's
     * sensitivity, at its decimated sample rate.
     *
     * @param label     what the session is known to be
     * @param machineId the machine recorded, or {@code null}
     * @param config    the sensor configuration of the stream
     * @param source    where the data comes from, e.g. {@code device:sim:}
     * @return the session information
     */
    public static SessionInfo deviceSession(SessionLabel label, String machineId, SensorConfig config, String source) {
        java.util.List<String> names = config.axes().stream().map(a -> a.name().toLowerCase(java.util.Locale.ROOT)).toList();
        float[] scale = new float[config.channels()];
        java.util.Arrays.fill(scale, config.dpsPerLsb());
        return new SessionInfo(label, machineId, java.util.Map.of(), "", names, scale, "dps", config.sampleRateHz(),
                source);
    }

    @Override
    public synchronized void onBlock(SampleBlock b) {
        if (b.channels() != info.channels()) {
            fail(new GyroSentinelException(ErrorCode.BAD_INPUT, "block has " + b.channels()
                    + " channels, the recording " + target + " has " + info.channels()));
        }
        if (b.missingBefore() > 0) {
            writeGap(b.firstSample() - b.missingBefore(), b.missingBefore(), 0, "sequence");
        }
        append(b.raw(), b.count(), b.sequence(), b.timestampMicros(), b.periodNanos());
    }

    /**
     * Appends {@code count} samples of raw values (interleaved).
     *
     * @param raw             raw values, interleaved, at least {@code count * channels}
     * @param count           number of samples
     * @param sequence        batch sequence number
     * @param timestampMicros sensor-clock time of the first sample, µs
     * @param periodNanos     time between samples, ns
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when {@code raw} is too short (the recording is then
     *         aborted), {@link ErrorCode#IO} when writing fails or the writer is closed
     */
    public synchronized void append(short[] raw, int count, long sequence, long timestampMicros, long periodNanos) {
        int ch = info.channels();
        if (raw.length < count * ch) {
            fail(new GyroSentinelException(ErrorCode.BAD_INPUT, "raw array holds " + raw.length + " values, "
                    + count + " samples of " + ch + " channels need " + count * ch));
        }
        SampleBatch sb = SampleBatch.newBuilder().setSequence((int) sequence).setTimestampUs(timestampMicros)
                .setSamplePeriodNs((int) periodNanos).setCount(count).setData(WireCodec.fromShorts(raw, 0, count * ch))
                .build();
        write(RecordEntry.newBuilder().setBatch(sb).build());
        samples += count;
        batches++;
        nextSample += count;
    }

    /**
     * Marks missing samples at the current position.
     *
     * The next sample written gets the index {@code missingSamples} higher.
     *
     * @param atSample       index where the missing samples belong
     * @param missingSamples how many samples are missing (0 marks a segment boundary)
     * @param missingBatches how many batches are missing, 0 when unknown
     * @param cause          why, as free text (e.g. {@code sequence}, {@code file})
     * @throws GyroSentinelException {@link ErrorCode#IO} when writing fails or the writer is closed
     */
    public synchronized void writeGap(long atSample, long missingSamples, int missingBatches, String cause) {
        write(RecordEntry.newBuilder().setGap(GapRecord.newBuilder().setAtSample(atSample)
                .setMissingSamples(missingSamples).setMissingBatches(missingBatches).setCause(cause)).build());
        gaps++;
        missing += missingSamples;
        nextSample += missingSamples;
    }

    /**
     * Labels a run of samples (per-sample labels, e.g. from a CSV label column).
     *
     * @param firstSample index of the run's first sample
     * @param count       number of samples in the run
     * @param label       their label
     * @throws GyroSentinelException {@link ErrorCode#IO} when writing fails or the writer is closed
     */
    public synchronized void writeLabelRun(long firstSample, long count, SessionLabel label) {
        write(RecordEntry.newBuilder().setLabelRun(LabelRun.newBuilder().setFirstSample(firstSample).setCount(count)
                .setLabel(switch (label) {
                    case NORMAL -> io.gyrosentinel.internal.wire.v1.SessionLabel.NORMAL;
                    case ANOMALOUS -> io.gyrosentinel.internal.wire.v1.SessionLabel.ANOMALOUS;
                    case UNLABELLED -> io.gyrosentinel.internal.wire.v1.SessionLabel.SESSION_LABEL_UNSPECIFIED;
                })).build());
    }

    @Override
    public synchronized void onGap(Gap gap) {
        // every gap of a stream reaches us as the next block's missingBefore (written in onBlock,
        // at the right index); writing it here too would count it twice
    }

    @Override
    public synchronized void onResult(InferenceResult r) {
        write(RecordEntry.newBuilder().setResult(WireCodec.toWire(r)).build());
    }

    @Override
    public synchronized void onEvent(AnomalyEvent e) {
        write(RecordEntry.newBuilder().setEvent(WireCodec.toWire(e)).build());
    }

    private void write(RecordEntry e) {
        if (closed) {
            throw new GyroSentinelException(ErrorCode.IO, "recording " + target + " is already closed");
        }
        try {
            e.writeDelimitedTo(out);
            entries++;
        } catch (IOException ex) {
            fail(new GyroSentinelException(ErrorCode.IO, "cannot write recording " + target + ": " + ex.getMessage(), ex));
        }
    }

    private void fail(GyroSentinelException e) {
        failed = true;
        abort();
        throw e;
    }

    /** {@return the number of samples written so far} */
    public synchronized long samples() {
        return samples;
    }

    /** {@return the number of gap records written so far} */
    public synchronized long gaps() {
        return gaps;
    }

    /** {@return the absolute path the recording is written to} */
    public Path target() {
        return target;
    }

    /** Discards the recording: the target is left untouched. Idempotent. */
    public synchronized void abort() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        AtomicFiles.deleteQuietly(temp);
    }

    /**
     * Writes the footer, syncs, and moves the file into place.
     *
     * @throws GyroSentinelException {@link ErrorCode#IO} when finishing fails; the target is then left untouched
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (failed) {
            abort();
            return;
        }
        try {
            RecordEntry.newBuilder().setFooter(RecordingFooter.newBuilder().setSamples(samples).setBatches(batches)
                    .setGaps(gaps).setMissingSamples(missing).setEntries(entries)
                    .setClosedUnixMs(System.currentTimeMillis())).build().writeDelimitedTo(out);
            out.flush();
            channel.force(true);
            out.close();
            closed = true;
            AtomicFiles.moveIntoPlace(temp, target);
        } catch (IOException e) {
            closed = false;
            abort();
            throw new GyroSentinelException(ErrorCode.IO, "cannot finish recording " + target + ": " + e.getMessage(), e);
        }
    }
}
