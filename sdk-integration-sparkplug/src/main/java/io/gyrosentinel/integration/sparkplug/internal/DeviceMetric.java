package io.gyrosentinel.integration.sparkplug.internal;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.client.DeviceWatch;

import java.math.BigInteger;
import java.util.Date;

import org.eclipse.tahu.message.model.MetricDataType;

/**
 * The metrics of one GyroSentinel device as a Sparkplug device, in alias order: a device's aliases are its base plus
 * {@link #ordinal()}. README.md documents them.
 */
public enum DeviceMetric {
    /** Score of the last window; null before the first. */
    SCORE("Score", MetricDataType.Float),
    /** The model's threshold; null before the first window or event. */
    THRESHOLD("Threshold", MetricDataType.Float),
    /** An anomaly event is open. */
    ANOMALY("Anomaly", MetricDataType.Boolean),
    /** Anomaly events started since the device was followed. */
    EVENTS("Events", MetricDataType.UInt64),
    /** Host time of the last STARTED event; null when none. */
    LAST_EVENT_TIME("LastEventTime", MetricDataType.DateTime),
    /** Id of the model that scores the windows. */
    MODEL("Model", MetricDataType.String),
    /** Firmware version the device reported. */
    FIRMWARE("Firmware", MetricDataType.String),
    /** Windows scored since the device was followed. */
    WINDOWS("Windows", MetricDataType.UInt64),
    /** Gaps in the stream counted by the watch's collector. */
    GAPS("Link/Gaps", MetricDataType.UInt64),
    /** Samples missing in those gaps. */
    MISSING_SAMPLES("Link/MissingSamples", MetricDataType.UInt64),
    /** The last event's number on the device; null before the first event. */
    EVENT_ID("Event/Id", MetricDataType.UInt64),
    /** The last event's state, STARTED or ENDED; null before the first event. */
    EVENT_STATE("Event/State", MetricDataType.String),
    /** The last event's peak score. */
    EVENT_PEAK_SCORE("Event/PeakScore", MetricDataType.Float),
    /** Windows in the last event's episode. */
    EVENT_WINDOWS("Event/Windows", MetricDataType.UInt32),
    /** Host time the last event arrived. */
    EVENT_TIME("Event/Time", MetricDataType.DateTime);

    private static final DeviceMetric[] ALL = values();

    private final String metricName;
    private final MetricDataType type;

    DeviceMetric(String metricName, MetricDataType type) {
        this.metricName = metricName;
        this.type = type;
    }

    /** {@return the Sparkplug metric name} */
    public String metricName() {
        return metricName;
    }

    /** {@return the Sparkplug datatype} */
    public MetricDataType type() {
        return type;
    }

    /** {@return every metric, in alias order} */
    public static DeviceMetric[] all() {
        return ALL.clone();
    }

    /**
     * The value of every metric, in alias order, as Tahu wants them (Float, Boolean, BigInteger for UInt64, Long for
     * UInt32, Date, String; null for "no value yet").
     *
     * @param s          the device's state
     * @param last       the device's last anomaly event, or null
     * @param lastMillis host time the last event arrived
     * @return one value per metric
     */
    public static Object[] values(DeviceWatch.State s, AnomalyEvent last, long lastMillis) {
        Object[] v = new Object[ALL.length];
        v[SCORE.ordinal()] = Float.isNaN(s.score()) ? null : s.score();
        v[THRESHOLD.ordinal()] = Float.isNaN(s.threshold()) ? null : s.threshold();
        v[ANOMALY.ordinal()] = s.anomaly();
        v[EVENTS.ordinal()] = BigInteger.valueOf(s.events());
        v[LAST_EVENT_TIME.ordinal()] = s.lastEventMillis() == 0 ? null : new Date(s.lastEventMillis());
        v[MODEL.ordinal()] = s.modelId();
        v[FIRMWARE.ordinal()] = s.firmware();
        v[WINDOWS.ordinal()] = BigInteger.valueOf(s.windows());
        v[GAPS.ordinal()] = BigInteger.valueOf(s.gaps());
        v[MISSING_SAMPLES.ordinal()] = BigInteger.valueOf(s.missingSamples());
        if (last != null) {
            v[EVENT_ID.ordinal()] = BigInteger.valueOf(last.eventId());
            v[EVENT_STATE.ordinal()] = last.state().name();
            v[EVENT_PEAK_SCORE.ordinal()] = Float.isNaN(last.peakScore()) ? null : last.peakScore();
            v[EVENT_WINDOWS.ordinal()] = (long) last.windows();
            v[EVENT_TIME.ordinal()] = new Date(lastMillis);
        }
        return v;
    }
}
