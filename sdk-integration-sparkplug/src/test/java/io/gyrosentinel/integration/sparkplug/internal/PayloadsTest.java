package io.gyrosentinel.integration.sparkplug.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.client.DeviceWatch;

import java.math.BigInteger;
import java.util.Date;
import java.util.List;

import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.eclipse.tahu.model.MetricDataTypeMap;
import org.eclipse.tahu.protobuf.SparkplugBProto;
import org.junit.jupiter.api.Test;

/** The payloads decode with Tahu as Sparkplug 3.0 describes them. */
class PayloadsTest {
    private static SparkplugBPayload decode(byte[] b, MetricDataTypeMap m) throws Exception {
        return new SparkplugBPayloadDecoder().buildFromByteArray(b, m);
    }

    @Test
    void ndeathHasOnlyBdSeqAndNoSeq() throws Exception {
        SparkplugBPayload p = decode(Payloads.ndeath(255, 1234), null);
        assertNull(p.getSeq());
        assertEquals(1234, p.getTimestamp().getTime());
        assertEquals(1, p.getMetrics().size());
        Metric m = p.getMetrics().get(0);
        assertEquals("bdSeq", m.getName());
        assertEquals(MetricDataType.Int64, m.getDataType());
        assertEquals(255L, m.getValue());
    }

    @Test
    void nbirthHasBdSeqAndRebirthWithoutAlias() throws Exception {
        SparkplugBPayload p = decode(Payloads.nbirth(7, 0, 99), null);
        assertEquals(0L, p.getSeq());
        assertEquals(List.of("bdSeq", "Node Control/Rebirth"), p.getMetrics().stream().map(Metric::getName).toList());
        assertEquals(7L, p.getMetrics().get(0).getValue());
        assertEquals(false, p.getMetrics().get(1).getValue());
        assertFalse(p.getMetrics().get(1).hasAlias());
    }

    @Test
    void ddataCarriesOnlyChangedMetricsByAlias() throws Exception {
        DeviceWatch.State s = new DeviceWatch.State("d", true, "fw", "m", 0.5f, 1f, false, 0, 0, 10, 0, 0, 5);
        Object[] before = DeviceMetric.values(s, null, 0);
        DeviceWatch.State t = new DeviceWatch.State("d", true, "fw", "m", 2.5f, 1f, true, 1, 77, 11, 0, 0, 6);
        AnomalyEvent e = new AnomalyEvent(4, AnomalyEvent.State.STARTED, 1, 0, 2.5f, 1, 1f, 3, "m");
        Object[] after = DeviceMetric.values(t, e, 88);
        assertNull(Payloads.ddata(200, before, before, 5, 3, 6), "nothing changed: no DDATA");
        byte[] b = Payloads.ddata(200, after, before, 6, 3, 7);
        SparkplugBProto.Payload raw = SparkplugBProto.Payload.parseFrom(b);
        assertTrue(raw.getMetricsList().stream().noneMatch(m -> m.hasName() || m.hasDatatype()));
        MetricDataTypeMap types = new MetricDataTypeMap();
        for (DeviceMetric m : DeviceMetric.all()) {
            types.addMetricDataType(200L + m.ordinal(), m.type());
        }
        SparkplugBPayload p = decode(b, types);
        assertEquals(3L, p.getSeq());
        List<Long> aliases = p.getMetrics().stream().map(Metric::getAlias).toList();
        assertEquals(List.of(200L + DeviceMetric.SCORE.ordinal(), 200L + DeviceMetric.ANOMALY.ordinal(),
                200L + DeviceMetric.EVENTS.ordinal(), 200L + DeviceMetric.LAST_EVENT_TIME.ordinal(),
                200L + DeviceMetric.WINDOWS.ordinal(), 200L + DeviceMetric.EVENT_ID.ordinal(),
                200L + DeviceMetric.EVENT_STATE.ordinal(), 200L + DeviceMetric.EVENT_PEAK_SCORE.ordinal(),
                200L + DeviceMetric.EVENT_WINDOWS.ordinal(), 200L + DeviceMetric.EVENT_TIME.ordinal()), aliases);
        assertEquals(2.5f, p.getMetrics().get(0).getValue());
        assertEquals(BigInteger.ONE, p.getMetrics().get(2).getValue());
        assertEquals(new Date(77), p.getMetrics().get(3).getValue());
        assertEquals("STARTED", p.getMetrics().get(6).getValue());
        assertEquals(3L, p.getMetrics().get(8).getValue());
        assertTrue(p.getMetrics().stream().allMatch(m -> m.getTimestamp().getTime() == 6));
    }

    @Test
    void dbirthNamesEveryMetricWithAliasAndDatatype() throws Exception {
        DeviceWatch.State s = new DeviceWatch.State("d", true, "fw", "", Float.NaN, Float.NaN, false, 0, 0, 0, 0, 0,
                5);
        SparkplugBPayload p = decode(Payloads.dbirth(100, DeviceMetric.values(s, null, 0), 5, 1, 6), null);
        assertEquals(DeviceMetric.all().length, p.getMetrics().size());
        for (DeviceMetric d : DeviceMetric.all()) {
            Metric m = p.getMetrics().get(d.ordinal());
            assertEquals(d.metricName(), m.getName());
            assertEquals(100L + d.ordinal(), m.getAlias());
            assertEquals(d.type(), m.getDataType());
        }
        assertTrue(p.getMetrics().get(DeviceMetric.SCORE.ordinal()).isNull(), "NaN score: null");
    }

    @Test
    void recognisesARebirthRequest() throws Exception {
        byte[] yes = new SparkplugBPayloadEncoder().getBytes(new SparkplugBPayload(new Date(), List.of(
                new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean, true).createMetric()), null),
                false);
        byte[] stripped = new SparkplugBPayloadEncoder().getBytes(new SparkplugBPayload(new Date(), List.of(
                new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean, true).createMetric()), null),
                true);
        byte[] no = new SparkplugBPayloadEncoder().getBytes(new SparkplugBPayload(new Date(), List.of(
                new Metric.MetricBuilder("Node Control/Rebirth", MetricDataType.Boolean, false).createMetric()), null),
                false);
        assertTrue(Payloads.isRebirthRequest(yes));
        assertTrue(Payloads.isRebirthRequest(stripped), "without a datatype, by name");
        assertFalse(Payloads.isRebirthRequest(no));
    }
}
