package io.gyrosentinel.integration.sparkplug.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.eclipse.tahu.SparkplugInvalidTypeException;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.eclipse.tahu.model.MetricDataTypeMap;

/**
 * Sparkplug B payloads of the edge node and its devices, encoded with Eclipse Tahu. BIRTH metrics carry name, alias,
 * datatype, value and timestamp; DATA metrics carry alias, value and timestamp only (no name, no datatype).
 */
public final class Payloads {
    /** The birth/death sequence metric of NBIRTH and NDEATH. */
    public static final String BDSEQ = "bdSeq";
    /** The node control metric a host sets to true in an NCMD to ask for a rebirth. */
    public static final String REBIRTH = "Node Control/Rebirth";

    private Payloads() {
    }

    /**
     * {@return the NDEATH: the bdSeq metric (Int64) and a timestamp, no seq}
     *
     * @param bdSeq  the session's bdSeq
     * @param millis payload timestamp
     */
    public static byte[] ndeath(int bdSeq, long millis) {
        return encode(payload(millis, null, List.of(metric(BDSEQ, null, MetricDataType.Int64, (long) bdSeq, millis))),
                false);
    }

    /**
     * {@return the NBIRTH: bdSeq (Int64) and Node Control/Rebirth (Boolean false), neither with an alias}
     *
     * @param bdSeq  the session's bdSeq, as in its Will
     * @param seq    the message seq (0)
     * @param millis payload and metric timestamp
     */
    public static byte[] nbirth(int bdSeq, int seq, long millis) {
        return encode(payload(millis, seq, List.of(metric(BDSEQ, null, MetricDataType.Int64, (long) bdSeq, millis),
                metric(REBIRTH, null, MetricDataType.Boolean, false, millis))), false);
    }

    /**
     * {@return a DBIRTH with every device metric: name, alias, datatype, current value}
     *
     * @param aliasBase    the device's first alias
     * @param values       from {@link DeviceMetric#values}
     * @param metricMillis metric timestamp (when the state last changed)
     * @param seq          the message seq
     * @param millis       payload timestamp
     */
    public static byte[] dbirth(long aliasBase, Object[] values, long metricMillis, int seq, long millis) {
        List<Metric> metrics = new ArrayList<>();
        for (DeviceMetric m : DeviceMetric.all()) {
            metrics.add(metric(m.metricName(), aliasBase + m.ordinal(), m.type(), values[m.ordinal()], metricMillis));
        }
        return encode(payload(millis, seq, metrics), false);
    }

    /**
     * {@return a DDATA with the metrics whose value differs from the last published one (report by exception), or
     * null when none does}
     *
     * @param aliasBase    the device's first alias
     * @param values       the values now
     * @param published    the values last published
     * @param metricMillis metric timestamp
     * @param seq          the message seq
     * @param millis       payload timestamp
     */
    public static byte[] ddata(long aliasBase, Object[] values, Object[] published, long metricMillis, int seq,
                               long millis) {
        List<Metric> metrics = new ArrayList<>();
        for (DeviceMetric m : DeviceMetric.all()) {
            int i = m.ordinal();
            if (!Objects.equals(values[i], published[i])) {
                metrics.add(metric(null, aliasBase + i, m.type(), values[i], metricMillis));
            }
        }
        return metrics.isEmpty() ? null : encode(payload(millis, seq, metrics), true);
    }

    /**
     * {@return whether any DDATA would carry a metric: some value differs from the last published one}
     *
     * @param values    the values now
     * @param published the values last published
     */
    public static boolean changed(Object[] values, Object[] published) {
        for (int i = 0; i < values.length; i++) {
            if (!Objects.equals(values[i], published[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return a DDEATH: seq and timestamp, no metrics}
     *
     * @param seq    the message seq
     * @param millis payload timestamp
     */
    public static byte[] ddeath(int seq, long millis) {
        return encode(payload(millis, seq, List.of()), false);
    }

    /**
     * {@return whether an NCMD payload asks for a rebirth ({@code Node Control/Rebirth} = true)}
     *
     * @param ncmd the payload
     * @throws Exception when it is not a Sparkplug B payload
     */
    public static boolean isRebirthRequest(byte[] ncmd) throws Exception {
        MetricDataTypeMap types = new MetricDataTypeMap();
        types.addMetricDataType(REBIRTH, MetricDataType.Boolean);
        SparkplugBPayload p = new SparkplugBPayloadDecoder().buildFromByteArray(ncmd, types);
        for (Metric m : p.getMetrics()) {
            if (m != null && REBIRTH.equals(m.getName()) && Boolean.TRUE.equals(m.getValue())) {
                return true;
            }
        }
        return false;
    }

    private static SparkplugBPayload payload(long millis, Integer seq, List<Metric> metrics) {
        return new SparkplugBPayload(new Date(millis), metrics, seq == null ? null : (long) seq);
    }

    private static Metric metric(String name, Long alias, MetricDataType type, Object value, long millis) {
        try {
            return new Metric.MetricBuilder(name, type, value).alias(alias).timestamp(new Date(millis)).createMetric();
        } catch (SparkplugInvalidTypeException e) {
            throw new IllegalStateException("metric " + name + " (alias " + alias + "): " + e.getMessage(), e);
        }
    }

    private static byte[] encode(SparkplugBPayload p, boolean stripDataTypes) {
        try {
            return new SparkplugBPayloadEncoder().getBytes(p, stripDataTypes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
