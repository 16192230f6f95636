package io.gyrosentinel.integration.opcua.internal;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.Gap;
import io.gyrosentinel.InferenceResult;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.model.CalibrationResult;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.milo.opcua.sdk.server.Session;
import org.eclipse.milo.opcua.sdk.server.identity.Identity;
import org.eclipse.milo.opcua.sdk.server.methods.AbstractMethodInvocationHandler;
import org.eclipse.milo.opcua.sdk.server.model.objects.AlarmConditionTypeNode;
import org.eclipse.milo.opcua.sdk.server.model.variables.TwoStateVariableTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaMethodNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaObjectNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.stack.core.types.structured.Argument;
import org.eclipse.milo.opcua.stack.core.util.NonceUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

/**
 * One device's object ({@code ns=<GyroSentinel>;s=<deviceId>}) with its variables ({@code s=<deviceId>/Score} ...)
 * and methods, kept up to date by a {@link DeviceWatch} listener: a scored window sets Score (and Threshold or
 * ActiveModel only when they change), so an update costs one {@link DataValue}. Anomaly events, and their
 * acknowledgement, are fired as {@code AlarmConditionType} events whose source is the device object.
 */
public final class DeviceObject implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceObject.class);
    /** Condition name of the anomaly alarm. */
    public static final String ALARM = "AnomalyAlarm";

    private final DeviceNamespace ns;
    private final DeviceWatch watch;
    private final String id;
    private final UaObjectNode object;
    private final UaVariableNode online;
    private final UaVariableNode firmware;
    private final UaVariableNode activeModel;
    private final UaVariableNode score;
    private final UaVariableNode threshold;
    private final UaVariableNode anomalyState;
    private final UaVariableNode eventCount;
    private final UaVariableNode lastEventTime;
    private final UaVariableNode linkGaps;
    private final UaVariableNode missingSamples;
    private final UaVariableNode alarmAcked;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile AutoCloseable listening;

    // the alarm: guarded by this
    private boolean alarmActive;
    private boolean acked = true;
    private boolean anyAlarm;
    // last values set, to skip unchanged ones (delivery thread; calibrate under this)
    private volatile float shownThreshold = Float.NaN;
    private volatile String shownModel;

    DeviceObject(DeviceNamespace ns, DeviceWatch watch) {
        this.ns = ns;
        this.watch = watch;
        this.id = watch.deviceId();
        object = UaObjectNode.builder(ns.getNodeContext())
                .setNodeId(ns.nodeId(id))
                .setBrowseName(ns.name(id))
                .setDisplayName(LocalizedText.english(id))
                .setDescription(LocalizedText.english("GyroSentinel vibration sensor " + id))
                .setTypeDefinition(NodeIds.BaseObjectType)
                .setEventNotifier(ubyte(1))
                .build();
        online = variable("Online", NodeIds.Boolean, "The link to the device is up");
        firmware = variable("Firmware", NodeIds.String, "Firmware version the device reported");
        activeModel = variable("ActiveModel", NodeIds.String, "Id of the model scoring the windows");
        score = variable("Score", NodeIds.Float, "Anomaly score of the last window (NaN before the first)");
        threshold = variable("Threshold", NodeIds.Float, "The model's threshold (NaN before it is known)");
        anomalyState = variable("AnomalyState", NodeIds.Boolean, "An anomaly event is open");
        eventCount = variable("EventCount", NodeIds.UInt64, "Anomaly events started since the server followed it");
        lastEventTime = variable("LastEventTime", NodeIds.DateTime, "Host time the last anomaly event started");
        linkGaps = variable("LinkGaps", NodeIds.UInt64, "Gaps seen in the sample stream");
        missingSamples = variable("MissingSamples", NodeIds.UInt64, "Samples lost in those gaps");
        alarmAcked = variable("AlarmAcked", NodeIds.Boolean,
                "The last anomaly alarm was acknowledged (true when there was none)");
    }

    private UaVariableNode variable(String name, NodeId type, String description) {
        return UaVariableNode.builder(ns.getNodeContext())
                .setNodeId(ns.nodeId(id + "/" + name))
                .setBrowseName(ns.name(name))
                .setDisplayName(LocalizedText.english(name))
                .setDescription(LocalizedText.english(description))
                .setDataType(type)
                .setTypeDefinition(NodeIds.BaseDataVariableType)
                .setAccessLevel(AccessLevel.READ_ONLY)
                .setUserAccessLevel(AccessLevel.READ_ONLY)
                .setMinimumSamplingInterval(0.0)
                .build();
    }

    /** {@return the device's id} */
    public String deviceId() {
        return id;
    }

    /** {@return the device object's node id} */
    public NodeId nodeId() {
        return object.getNodeId();
    }

    void attach(UaFolderNode folder) {
        for (UaVariableNode v : new UaVariableNode[]{online, firmware, activeModel, score, threshold, anomalyState,
                eventCount, lastEventTime, linkGaps, missingSamples, alarmAcked}) {
            ns.getNodeManager().addNode(v);
            object.addComponent(v);
        }
        addMethod("AcknowledgeAlarm", "Acknowledges the device's open or last anomaly alarm (signed-in users only)",
                new Argument[]{new Argument("Comment", NodeIds.String, -1, null,
                        LocalizedText.english("Why, or what was done"))},
                new Argument[0], this::acknowledge);
        addMethod("Calibrate", "Collects normal data and sets the model's threshold to a quantile of its scores "
                        + "(signed-in users only); the call lasts DurationSeconds",
                new Argument[]{
                        new Argument("DurationSeconds", NodeIds.Double, -1, null,
                                LocalizedText.english("How long to collect normal data, 0.1 .. 600 s")),
                        new Argument("Quantile", NodeIds.Double, -1, null,
                                LocalizedText.english("The threshold's quantile of the window scores, 0 .. 1"))},
                new Argument[]{new Argument("Threshold", NodeIds.Float, -1, null,
                        LocalizedText.english("The new threshold"))}, this::calibrate);
        ns.getNodeManager().addNode(object);
        show(watch.state());
        set(alarmAcked, Variant.ofBoolean(true));
        listening = watch.listen(new DeviceWatch.Listener() {
            @Override
            public void onResult(DeviceWatch.State s, InferenceResult r) {
                set(score, Variant.ofFloat(s.score()));
                showThreshold(s.threshold());
                showModel(s.modelId());
            }

            @Override
            public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
                show(s);
                alarm(s, e);
            }

            @Override
            public void onLink(DeviceWatch.State s) {
                set(online, Variant.ofBoolean(s.online()));
            }

            @Override
            public void onGap(DeviceWatch.State s, Gap gap) {
                set(linkGaps, Variant.ofUInt64(ulong(s.gaps())));
                set(missingSamples, Variant.ofUInt64(ulong(s.missingSamples())));
            }
        });
        show(watch.state()); // what changed between the first show and listening
        folder.addOrganizes(object);
    }

    private void show(DeviceWatch.State s) {
        set(online, Variant.ofBoolean(s.online()));
        set(firmware, Variant.ofString(s.firmware()));
        showModel(s.modelId());
        set(score, Variant.ofFloat(s.score()));
        showThreshold(s.threshold());
        set(anomalyState, Variant.ofBoolean(s.anomaly()));
        set(eventCount, Variant.ofUInt64(ulong(s.events())));
        set(lastEventTime, Variant.ofDateTime(s.lastEventMillis() == 0 ? DateTime.NULL_VALUE
                : new DateTime(java.time.Instant.ofEpochMilli(s.lastEventMillis()))));
        set(linkGaps, Variant.ofUInt64(ulong(s.gaps())));
        set(missingSamples, Variant.ofUInt64(ulong(s.missingSamples())));
    }

    private void showThreshold(float t) {
        if (Float.compare(t, shownThreshold) != 0) {
            shownThreshold = t;
            set(threshold, Variant.ofFloat(t));
        }
    }

    private void showModel(String m) {
        if (!m.equals(shownModel)) {
            shownModel = m;
            set(activeModel, Variant.ofString(m));
        }
    }

    private static void set(UaVariableNode node, Variant v) {
        node.setValue(new DataValue(v));
    }

    private void alarm(DeviceWatch.State s, AnomalyEvent e) {
        synchronized (this) {
            anyAlarm = true;
            alarmActive = e.state() == AnomalyEvent.State.STARTED;
            if (alarmActive) {
                acked = false;
            }
            set(alarmAcked, Variant.ofBoolean(acked));
            String msg = alarmActive
                    ? String.format(Locale.ROOT, "%s: vibration anomaly (score %.4g above threshold %.4g, model %s)",
                    id, e.peakScore(), e.threshold(), e.modelId())
                    : String.format(Locale.ROOT, "%s: vibration back to normal after %d windows (peak score %.4g, "
                    + "threshold %.4g)", id, e.windows(), e.peakScore(), e.threshold());
            fire(msg, alarmActive ? 700 : 300, null, null);
        }
    }

    /** Fires the alarm's current state as an AlarmConditionType event; caller holds this. */
    private void fire(String message, int severity, String comment, String user) {
        AlarmConditionTypeNode ev = null;
        try {
            ev = (AlarmConditionTypeNode) ns.server().getEventFactory().createEvent(ns.nodeId(id + "/" + ALARM),
                    NodeIds.AlarmConditionType);
            ev.setBrowseName(ns.name(ALARM));
            ev.setDisplayName(LocalizedText.english(ALARM));
            ev.setEventId(NonceUtil.generateNonce(16));
            ev.setEventType(NodeIds.AlarmConditionType);
            ev.setSourceNode(object.getNodeId());
            ev.setSourceName(id);
            ev.setTime(DateTime.now());
            ev.setReceiveTime(DateTime.NULL_VALUE);
            ev.setMessage(LocalizedText.english(message));
            ev.setSeverity(ushort(severity));
            ev.setConditionClassId(NodeIds.ProcessConditionClassType);
            ev.setConditionClassName(LocalizedText.english("ProcessConditionClassType"));
            ev.setConditionName(ALARM);
            ev.setBranchId(NodeId.NULL_VALUE);
            ev.setRetain(alarmActive || !acked);
            ev.setInputNode(score.getNodeId());
            ev.setSuppressedOrShelved(false);
            state(ev.getEnabledStateNode(), true, "Enabled", "Disabled");
            ev.setEnabledState(LocalizedText.english("Enabled"));
            state(ev.getActiveStateNode(), alarmActive, "Active", "Inactive");
            ev.setActiveState(LocalizedText.english(alarmActive ? "Active" : "Inactive"));
            state(ev.getAckedStateNode(), acked, "Acknowledged", "Unacknowledged");
            ev.setAckedState(LocalizedText.english(acked ? "Acknowledged" : "Unacknowledged"));
            if (comment != null) {
                ev.setComment(LocalizedText.english(comment));
                ev.setClientUserId(user);
            }
            ns.fire(ev);
        } catch (UaException | RuntimeException x) {
            LOG.warn("cannot fire the anomaly alarm of {}", id, x);
        } finally {
            if (ev != null) {
                ev.delete();
            }
        }
    }

    private static void state(TwoStateVariableTypeNode node, boolean on, String yes, String no) {
        if (node != null) {
            node.setId(on);
            node.setValue(new DataValue(Variant.ofLocalizedText(LocalizedText.english(on ? yes : no))));
        }
    }

    private Variant[] acknowledge(String user, Variant[] in) throws UaException {
        String comment = in[0].value() == null ? "" : (String) in[0].value();
        synchronized (this) {
            if (!anyAlarm) {
                throw new UaException(StatusCodes.Bad_InvalidState, "device " + id + " has raised no alarm");
            }
            if (acked) {
                throw new UaException(StatusCodes.Bad_ConditionBranchAlreadyAcked,
                        "the alarm of device " + id + " is already acknowledged");
            }
            acked = true;
            set(alarmAcked, Variant.ofBoolean(true));
            LOG.info("anomaly alarm of {} acknowledged by {}: {}", id, user, comment);
            fire(String.format(Locale.ROOT, "%s: anomaly alarm acknowledged by %s%s", id, user,
                    comment.isEmpty() ? "" : ": " + comment), alarmActive ? 700 : 300, comment, user);
        }
        return new Variant[0];
    }

    private Variant[] calibrate(String user, Variant[] in) throws UaException {
        double seconds = in[0].value() == null ? Double.NaN : (Double) in[0].value();
        double quantile = in[1].value() == null ? Double.NaN : (Double) in[1].value();
        if (!(seconds >= 0.1 && seconds <= 600)) {
            throw new UaException(StatusCodes.Bad_InvalidArgument, "DurationSeconds must be 0.1 .. 600: " + seconds);
        }
        if (!(quantile > 0 && quantile < 1)) {
            throw new UaException(StatusCodes.Bad_InvalidArgument, "Quantile must be in (0, 1): " + quantile);
        }
        LOG.info("calibrating {} for {} s (quantile {}) for {}", id, seconds, quantile, user);
        CalibrationResult r;
        try {
            r = watch.client().calibrate(Duration.ofNanos((long) (seconds * 1e9)), quantile);
        } catch (RuntimeException e) {
            LOG.warn("calibration of {} failed", id, e);
            throw new UaException(StatusCodes.Bad_InvalidState, "calibration of " + id + " failed: " + e.getMessage());
        }
        synchronized (this) {
            showThreshold(r.threshold());
        }
        return new Variant[]{Variant.ofFloat(r.threshold())};
    }

    @FunctionalInterface
    private interface Body {
        Variant[] call(String user, Variant[] in) throws UaException;
    }

    private void addMethod(String name, String description, Argument[] in, Argument[] out, Body body) {
        UaMethodNode m = UaMethodNode.builder(ns.getNodeContext())
                .setNodeId(ns.nodeId(id + "/" + name))
                .setBrowseName(ns.name(name))
                .setDisplayName(LocalizedText.english(name))
                .setDescription(LocalizedText.english(description))
                .build();
        AbstractMethodInvocationHandler h = new AbstractMethodInvocationHandler(m) {
            @Override
            public Argument[] getInputArguments() {
                return in;
            }

            @Override
            public Argument[] getOutputArguments() {
                return out;
            }

            @Override
            protected Variant[] invoke(InvocationContext ctx, Variant[] values) throws UaException {
                Identity identity = ctx.getSession().map(Session::getIdentity).orElse(null);
                if (!(identity instanceof Identity.UsernameIdentity u)) {
                    throw new UaException(StatusCodes.Bad_UserAccessDenied,
                            name + " needs a signed-in user, not an anonymous session");
                }
                return body.call(u.getUsername(), values);
            }
        };
        m.setInputArguments(in);
        m.setOutputArguments(out);
        m.setInvocationHandler(h);
        ns.getNodeManager().addNode(m);
        object.addComponent(m);
    }

    void detach(UaFolderNode folder) {
        AutoCloseable l = listening;
        if (l != null) {
            try {
                l.close();
            } catch (Exception ignored) {
                // removing a listener does not fail
            }
        }
        if (folder != null) {
            folder.removeOrganizes(object);
        }
        object.delete();
    }

    /** Removes the object and its nodes, and stops following the device (the watch stays open). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ns.removed(this);
        }
    }

    /** {@return whether the object is still served} */
    public boolean served() {
        return !closed.get();
    }
}
