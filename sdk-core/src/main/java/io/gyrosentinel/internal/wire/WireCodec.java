package io.gyrosentinel.internal.wire;

import com.google.protobuf.ByteString;
import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Capability;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.ModelSlotInfo;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.Telemetry;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.ModelSlot;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** Maps wire (protobuf) messages to the public records and back. Wire types never leak out. */
public final class WireCodec {
    /** The protocol version this SDK speaks. */
    public static final int PROTOCOL_VERSION = 1;
    public static final int MIN_PROTOCOL_VERSION = 1;

    private WireCodec() {
    }

    public static io.gyrosentinel.internal.wire.v1.SensorConfig toWire(SensorConfig c) {
        return io.gyrosentinel.internal.wire.v1.SensorConfig.newBuilder()
                .setOdrHz((float) c.odrHz())
                .setFullScaleDps(c.fullScaleDps())
                .setAxesMask(c.axesMask())
                .setDecimation(c.decimation())
                .setBatchSize(c.batchSize())
                .build();
    }

    /** Lenient: a device may report a configuration outside the builder's validation. */
    public static SensorConfig fromWire(io.gyrosentinel.internal.wire.v1.SensorConfig w) {
        return new SensorConfig(w.getOdrHz(), w.getFullScaleDps(), SensorConfig.axesFromMask(w.getAxesMask()),
                Math.max(1, w.getDecimation()), w.getBatchSize());
    }

    public static DeviceInfo fromWire(io.gyrosentinel.internal.wire.v1.DeviceInfo w) {
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (io.gyrosentinel.internal.wire.v1.Capability c : w.getCapabilitiesList()) {
            switch (c) {
                case CAPABILITY_STREAMING -> caps.add(Capability.STREAMING);
                case CAPABILITY_INFERENCE -> caps.add(Capability.INFERENCE);
                case CAPABILITY_MODEL_TRANSFER -> caps.add(Capability.MODEL_TRANSFER);
                case CAPABILITY_SIGNED_MODELS -> caps.add(Capability.SIGNED_MODELS);
                case CAPABILITY_CALIBRATION -> caps.add(Capability.CALIBRATION);
                case CAPABILITY_SENSOR_TIMESTAMPS -> caps.add(Capability.SENSOR_TIMESTAMPS);
                default -> { } // a newer firmware's capability: ignore
            }
        }
        return new DeviceInfo(w.getDeviceId(), w.getFirmwareVersion(), w.getProtocolVersion(), w.getChip(),
                w.getSensorModel(), caps, w.getMaxFrameSize(), w.getMaxChunkSize(), slots(w.getModelSlotsList()),
                fromWire(w.getSensorConfig()));
    }

    public static io.gyrosentinel.internal.wire.v1.DeviceInfo toWire(DeviceInfo d) {
        var b = io.gyrosentinel.internal.wire.v1.DeviceInfo.newBuilder()
                .setProtocolVersion(d.protocolVersion())
                .setDeviceId(d.deviceId())
                .setFirmwareVersion(d.firmwareVersion())
                .setChip(d.chip())
                .setSensorModel(d.sensorModel())
                .setMaxFrameSize(d.maxFrameSize())
                .setMaxChunkSize(d.maxChunkSize())
                .setSensorConfig(toWire(d.sensorConfig()));
        for (Capability c : d.capabilities()) {
            b.addCapabilities(io.gyrosentinel.internal.wire.v1.Capability.valueOf("CAPABILITY_" + c.name()));
        }
        for (ModelSlotInfo s : d.modelSlots()) {
            b.addModelSlots(toWire(s));
        }
        return b.build();
    }

    public static ModelSlot toWire(ModelSlotInfo s) {
        return ModelSlot.newBuilder().setSlot(s.slot()).setActive(s.active()).setValid(s.valid())
                .setModelId(s.modelId()).setSize((int) s.size())
                .setSha256(ByteString.copyFrom(HexFormat.of().parseHex(s.sha256()))).build();
    }

    public static List<ModelSlotInfo> slots(List<ModelSlot> list) {
        List<ModelSlotInfo> out = new ArrayList<>();
        for (ModelSlot s : list) {
            out.add(new ModelSlotInfo(s.getSlot(), s.getActive(), s.getValid(), s.getModelId(),
                    Integer.toUnsignedLong(s.getSize()), HexFormat.of().formatHex(s.getSha256().toByteArray())));
        }
        return out;
    }

    public static io.gyrosentinel.model.ModelStatus fromWire(io.gyrosentinel.internal.wire.v1.ModelStatus w) {
        io.gyrosentinel.model.ModelStatus.TransferState st = switch (w.getTransferState()) {
            case RECEIVING -> io.gyrosentinel.model.ModelStatus.TransferState.RECEIVING;
            case COMMITTED -> io.gyrosentinel.model.ModelStatus.TransferState.COMMITTED;
            default -> io.gyrosentinel.model.ModelStatus.TransferState.IDLE;
        };
        return new io.gyrosentinel.model.ModelStatus(st, Integer.toUnsignedLong(w.getNextOffset()),
                slots(w.getSlotsList()), w.getActiveSlot(), w.getRunsInference());
    }

    public static InferenceResult fromWire(io.gyrosentinel.internal.wire.v1.InferenceResult w) {
        float[] ce = new float[w.getChannelErrorCount()];
        for (int i = 0; i < ce.length; i++) {
            ce[i] = w.getChannelError(i);
        }
        return new InferenceResult(w.getWindow(), w.getStartTimestampUs(), w.getEndTimestampUs(), w.getScore(),
                w.getThreshold(), w.getAnomalous(), ce, w.getInferenceUs(), w.getModelId());
    }

    public static io.gyrosentinel.internal.wire.v1.InferenceResult toWire(InferenceResult r) {
        var b = io.gyrosentinel.internal.wire.v1.InferenceResult.newBuilder()
                .setWindow(r.window()).setStartTimestampUs(r.startTimestampMicros())
                .setEndTimestampUs(r.endTimestampMicros()).setScore(r.score()).setThreshold(r.threshold())
                .setAnomalous(r.anomalous()).setInferenceUs(r.inferenceMicros()).setModelId(r.modelId());
        for (float f : r.channelError()) {
            b.addChannelError(f);
        }
        return b.build();
    }

    public static AnomalyEvent fromWire(io.gyrosentinel.internal.wire.v1.AnomalyEvent w) {
        AnomalyEvent.State s = w.getState() == io.gyrosentinel.internal.wire.v1.AnomalyEvent.State.ENDED
                ? AnomalyEvent.State.ENDED : AnomalyEvent.State.STARTED;
        float[] pce = new float[w.getPeakChannelErrorCount()];
        for (int i = 0; i < pce.length; i++) {
            pce[i] = w.getPeakChannelError(i);
        }
        return new AnomalyEvent(w.getEventId(), s, w.getStartTimestampUs(), w.getEndTimestampUs(), w.getPeakScore(),
                w.getPeakTimestampUs(), w.getThreshold(), w.getWindows(), w.getModelId(), pce);
    }

    public static io.gyrosentinel.internal.wire.v1.AnomalyEvent toWire(AnomalyEvent e) {
        var b = io.gyrosentinel.internal.wire.v1.AnomalyEvent.newBuilder();
        for (float f : e.peakChannelError()) {
            b.addPeakChannelError(f);
        }
        return b
                .setEventId(e.eventId())
                .setState(e.state() == AnomalyEvent.State.ENDED
                        ? io.gyrosentinel.internal.wire.v1.AnomalyEvent.State.ENDED
                        : io.gyrosentinel.internal.wire.v1.AnomalyEvent.State.STARTED)
                .setStartTimestampUs(e.startTimestampMicros()).setEndTimestampUs(e.endTimestampMicros())
                .setPeakScore(e.peakScore()).setPeakTimestampUs(e.peakTimestampMicros()).setThreshold(e.threshold())
                .setWindows(e.windows()).setModelId(e.modelId()).build();
    }

    public static Telemetry fromWire(io.gyrosentinel.internal.wire.v1.Telemetry w) {
        return new Telemetry(w.getUptimeMs(), Integer.toUnsignedLong(w.getFreeHeap()),
                Integer.toUnsignedLong(w.getMinFreeHeap()), w.getDroppedSamples(), w.getInferenceUsP50(),
                w.getInferenceUsMax(), w.getQueueDepth(), w.getQueueCapacity(), w.getBatchesSent(), w.getBadFrames(),
                w.getCpuLoad());
    }

    public static io.gyrosentinel.internal.wire.v1.Telemetry toWire(Telemetry t) {
        return io.gyrosentinel.internal.wire.v1.Telemetry.newBuilder()
                .setUptimeMs(t.uptimeMillis()).setFreeHeap((int) t.freeHeap()).setMinFreeHeap((int) t.minFreeHeap())
                .setDroppedSamples(t.droppedSamples()).setInferenceUsP50(t.inferenceMicrosP50())
                .setInferenceUsMax(t.inferenceMicrosMax()).setQueueDepth(t.queueDepth())
                .setQueueCapacity(t.queueCapacity()).setBatchesSent(t.batchesSent()).setBadFrames(t.badFrames())
                .setCpuLoad(t.cpuLoad()).build();
    }

    /** Turns a device Error into the SDK exception. */
    public static GyroSentinelException toException(io.gyrosentinel.internal.wire.v1.Error e, String request) {
        ErrorCode code = ErrorCode.fromWire(e.getCodeValue());
        String msg = "device rejected " + request + ": " + (e.getMessage().isEmpty() ? code.name() : e.getMessage());
        return new GyroSentinelException(code, msg, e.getField().isEmpty() ? null : e.getField(), null);
    }

    public static Envelope.Builder envelope(int requestId) {
        return Envelope.newBuilder().setProtocolVersion(PROTOCOL_VERSION).setRequestId(requestId);
    }

    /** Converts little-endian interleaved int16 bytes to shorts (the batch fast path). */
    public static short[] toShorts(ByteString data) {
        int n = data.size() / 2;
        short[] out = new short[n];
        data.asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    /** Converts shorts to little-endian bytes. */
    public static ByteString fromShorts(short[] v, int from, int n) {
        byte[] b = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            short s = v[from + i];
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return ByteString.copyFrom(b);
    }

    /**
     * Parses an envelope from a frame buffer. Byte fields alias the buffer instead of copying it:
     * callers must convert them before the buffer is reused (the sample path does, at once).
     */
    public static Envelope parseEnvelope(byte[] buf, int off, int len)
            throws com.google.protobuf.InvalidProtocolBufferException {
        // an "immutable" input is what lets protobuf alias bytes fields instead of copying them
        com.google.protobuf.CodedInputStream in = com.google.protobuf.UnsafeByteOperations.unsafeWrap(buf, off, len)
                .newCodedInput();
        in.enableAliasing(true);
        try {
            Envelope e = Envelope.parseFrom(in);
            in.checkLastTagWas(0);
            return e;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new com.google.protobuf.InvalidProtocolBufferException(e);
        }
    }

    public static String bodyName(Envelope.BodyCase c) {
        return c.name().toLowerCase(java.util.Locale.ROOT);
    }
}
