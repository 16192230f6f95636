package io.gyrosentinel.integration.opcua;

import static io.gyrosentinel.integration.opcua.OpcUaTestSupport.PASSWORD;
import static io.gyrosentinel.integration.opcua.OpcUaTestSupport.browse;
import static io.gyrosentinel.integration.opcua.OpcUaTestSupport.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.integration.opcua.OpcUaTestSupport.ClientCert;
import io.gyrosentinel.testing.Await;
import io.gyrosentinel.testing.SimulatedFan;
import io.gyrosentinel.sim.Fault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.EventFilterBuilder;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.EventFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated fan served by a {@link GyroOpcUaServer}, and Milo's client on loopback over Basic256Sha256 /
 * SignAndEncrypt: browse and read, a 10 Hz Score subscription, an anomaly alarm event and its acknowledgement.
 */
@Timeout(60)
class GyroOpcUaServerTest {
    private static final String[] VARIABLES = {"Online", "Firmware", "ActiveModel", "Score", "Threshold",
        "AnomalyState", "EventCount", "LastEventTime", "LinkGaps", "MissingSamples", "AlarmAcked"};

    @TempDir
    Path pki;

    private GyroOpcUaServer server(ClientCert cert) throws Exception {
        cert.trustIn(pki);
        return GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("operator", PASSWORD).build().start();
    }

    private static NodeId node(OpcUaClient c, String id) {
        int ns = c.getNamespaceTable().getIndex(GyroOpcUaServer.NAMESPACE_URI).intValue();
        return new NodeId(ns, id);
    }

    private static Object read(OpcUaClient c, NodeId n) throws Exception {
        DataValue v = c.readValues(0, TimestampsToReturn.Both, List.of(n)).get(0);
        assertTrue(v.getStatusCode().isGood(), n + ": " + v.getStatusCode());
        return v.getValue().getValue();
    }

    private static CallMethodResult call(OpcUaClient c, String device, String method, Variant... args)
            throws Exception {
        return c.call(List.of(new CallMethodRequest(node(c, device), node(c, device + "/" + method), args)))
                .getResults()[0];
    }

    @Test
    void browseFindsTheDeviceAndItsVariablesMatchTheWatch() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        try (SimulatedFan fan = new SimulatedFan("fan-7", true); GyroOpcUaServer opc = server(cert);
             AutoCloseable served = opc.addDevice(fan.watch)) {
            OpcUaClient c = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            try {
                assertEquals(SecurityPolicy.Basic256Sha256.getUri(), c.getConfig().getEndpoint().getSecurityPolicyUri());
                assertEquals(MessageSecurityMode.SignAndEncrypt, c.getConfig().getEndpoint().getSecurityMode());
                Await.until("a scored window", Duration.ofSeconds(20), () -> fan.watch.state().windows() > 0);

                ReferenceDescription folder = browse(c, NodeIds.ObjectsFolder).stream()
                        .filter(r -> r.getBrowseName().getName().equals("GyroSentinel")).findFirst()
                        .orElseThrow(() -> new AssertionError("no GyroSentinel folder under Objects"));
                NodeId folderId = folder.getNodeId().toNodeId(c.getNamespaceTable()).orElseThrow();
                assertEquals(node(c, "GyroSentinel"), folderId);
                List<ReferenceDescription> devices = browse(c, folderId);
                assertEquals(List.of("fan-7"), devices.stream().map(r -> r.getBrowseName().getName()).toList());
                NodeId device = devices.get(0).getNodeId().toNodeId(c.getNamespaceTable()).orElseThrow();
                assertEquals(node(c, "fan-7"), device);
                List<String> children = browse(c, device).stream().map(r -> r.getBrowseName().getName()).toList();
                for (String v : VARIABLES) {
                    assertTrue(children.contains(v), "variable " + v + " in " + children);
                }
                assertTrue(children.contains("AcknowledgeAlarm") && children.contains("Calibrate"), children.toString());

                DeviceWatch.State s = fan.watch.state();
                assertEquals(Boolean.TRUE, read(c, node(c, "fan-7/Online")));
                assertEquals(s.firmware(), read(c, node(c, "fan-7/Firmware")));
                assertEquals("ma-1", read(c, node(c, "fan-7/ActiveModel")));
                assertEquals(s.threshold(), (Float) read(c, node(c, "fan-7/Threshold")), 0f);
                assertEquals(fan.threshold, (Float) read(c, node(c, "fan-7/Threshold")), 1e-4 * fan.threshold);
                float score = (Float) read(c, node(c, "fan-7/Score"));
                assertTrue(score >= 0 && score < fan.threshold, "a calm score: " + score);
                assertEquals(Boolean.FALSE, read(c, node(c, "fan-7/AnomalyState")));
                assertEquals(0L, ((ULong) read(c, node(c, "fan-7/EventCount"))).longValue());
                assertEquals(0L, ((ULong) read(c, node(c, "fan-7/LinkGaps"))).longValue());
                assertEquals(0L, ((ULong) read(c, node(c, "fan-7/MissingSamples"))).longValue());
                assertEquals(Boolean.TRUE, read(c, node(c, "fan-7/AlarmAcked")));
                assertTrue(((DateTime) read(c, node(c, "fan-7/LastEventTime"))).isNull());

                served.close();
                assertEquals(List.of(), browse(c, folderId), "closing the handle removes the device");
                assertTrue(opc.deviceIds().isEmpty());
                assertFalse(c.readValues(0, TimestampsToReturn.Both, List.of(node(c, "fan-7/Score"))).get(0)
                        .getStatusCode().isGood(), "its variables are gone");
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void aScoreSubscriptionAt10HzReceivesChangingValues() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        try (SimulatedFan fan = new SimulatedFan("fan-8", true); GyroOpcUaServer opc = server(cert);
             AutoCloseable served = opc.addDevice(fan.watch)) {
            OpcUaClient c = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            try {
                OpcUaSubscription sub = new OpcUaSubscription(c, 100.0);
                sub.create();
                assertEquals(100.0, sub.getRevisedPublishingInterval().orElseThrow(), 0.0);
                OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(node(c, "fan-8/Score"));
                item.setSamplingInterval(100.0);
                List<Float> values = new CopyOnWriteArrayList<>();
                item.setDataValueListener((i, v) -> {
                    if (v.getValue().getValue() instanceof Float f && !f.isNaN()) {
                        values.add(f);
                    }
                });
                sub.addMonitoredItem(item);
                sub.synchronizeMonitoredItems();
                long t0 = System.nanoTime();
                Await.until("30 score notifications", Duration.ofSeconds(30), () -> values.size() >= 30);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long distinct = values.stream().distinct().count();
                assertTrue(distinct >= 20, "changing values: " + values);
                // 10 Hz: 30 notifications take about 3 s; far slower means the 100 ms interval was not honoured
                assertTrue(seconds < 15, "30 notifications in " + seconds + " s");
                sub.delete();
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void anAnomalyRaisesAnAlarmEventThatAnOperatorAcknowledges() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        try (SimulatedFan fan = new SimulatedFan("fan-9", true); GyroOpcUaServer opc = server(cert);
             AutoCloseable served = opc.addDevice(fan.watch)) {
            OpcUaClient c = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            try {
                OpcUaSubscription sub = new OpcUaSubscription(c, 100.0);
                sub.create();
                EventFilter filter = new EventFilterBuilder()
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "Message"))
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "Severity"))
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "SourceName"))
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "SourceNode"))
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "EventType"))
                        .select(NodeIds.AlarmConditionType, new QualifiedName(0, "ActiveState"),
                                new QualifiedName(0, "Id"))
                        .select(NodeIds.AcknowledgeableConditionType, new QualifiedName(0, "AckedState"),
                                new QualifiedName(0, "Id"))
                        .select(NodeIds.ConditionType, new QualifiedName(0, "Comment"))
                        .build(); // Milo resolves a select clause's path on the type that declares it
                Map<String, List<Variant[]>> events = new ConcurrentHashMap<>();
                for (NodeId on : List.of(node(c, "fan-9"), NodeIds.Server, node(c, "GyroSentinel"))) {
                    OpcUaMonitoredItem item = OpcUaMonitoredItem.newEventItem(on, filter);
                    String key = on.equals(NodeIds.Server) ? "server" : on.getIdentifier().toString();
                    events.put(key, new CopyOnWriteArrayList<>());
                    item.setEventValueListener((i, fields) -> events.get(key).add(fields));
                    sub.addMonitoredItem(item);
                }
                sub.synchronizeMonitoredItems();

                CallMethodResult early = call(c, "fan-9", "AcknowledgeAlarm", Variant.ofString("nothing yet"));
                assertEquals(StatusCodes.Bad_InvalidState, early.getStatusCode().value(), "no alarm to acknowledge");

                fan.dev.injectFault(new Fault.Imbalance(2.0));
                Await.until("an alarm event on the device object", Duration.ofSeconds(30),
                        () -> !events.get("fan-9").isEmpty());
                Variant[] e = events.get("fan-9").get(0);
                String message = ((LocalizedText) e[0].getValue()).getText();
                assertTrue(message.contains("fan-9") && message.contains("anomaly"), message);
                assertTrue(((UShort) e[1].getValue()).intValue() >= 500, "high severity: " + e[1]);
                assertEquals("fan-9", e[2].getValue());
                assertEquals(node(c, "fan-9"), e[3].getValue());
                assertEquals(NodeIds.AlarmConditionType, e[4].getValue());
                assertEquals(Boolean.TRUE, e[5].getValue(), "ActiveState/Id");
                assertEquals(Boolean.FALSE, e[6].getValue(), "AckedState/Id");
                Await.until("the same event on the Server object and the folder", Duration.ofSeconds(10),
                        () -> !events.get("server").isEmpty() && !events.get("GyroSentinel").isEmpty());
                assertEquals(Boolean.TRUE, read(c, node(c, "fan-9/AnomalyState")));
                assertEquals(1L, ((ULong) read(c, node(c, "fan-9/EventCount"))).longValue());
                assertEquals(Boolean.FALSE, read(c, node(c, "fan-9/AlarmAcked")));
                assertFalse(((DateTime) read(c, node(c, "fan-9/LastEventTime"))).isNull());

                CallMethodResult ack = call(c, "fan-9", "AcknowledgeAlarm", Variant.ofString("belt checked"));
                assertTrue(ack.getStatusCode().isGood(), "acknowledged: " + ack.getStatusCode());
                assertEquals(Boolean.TRUE, read(c, node(c, "fan-9/AlarmAcked")));
                Await.until("the acknowledgement event", Duration.ofSeconds(10), () -> events.get("fan-9").stream()
                        .anyMatch(f -> Boolean.TRUE.equals(f[6].getValue())));
                Variant[] acked = events.get("fan-9").stream().filter(f -> Boolean.TRUE.equals(f[6].getValue()))
                        .findFirst().orElseThrow();
                assertEquals("belt checked", ((LocalizedText) acked[7].getValue()).getText());
                assertTrue(((LocalizedText) acked[0].getValue()).getText().contains("operator"));
                CallMethodResult twice = call(c, "fan-9", "AcknowledgeAlarm", Variant.ofString("again"));
                assertEquals(StatusCodes.Bad_ConditionBranchAlreadyAcked, twice.getStatusCode().value());

                fan.dev.clearFaults();
                Await.until("the alarm returning to normal", Duration.ofSeconds(30), () -> events.get("fan-9").stream()
                        .anyMatch(f -> Boolean.FALSE.equals(f[5].getValue())));
                assertEquals(Boolean.FALSE, read(c, node(c, "fan-9/AnomalyState")));
                sub.delete();
            } finally {
                c.disconnect();
            }
        }
    }

    @Test
    void eventsOnADeviceObjectAreThatDevicesOnly() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        try (SimulatedFan hot = new SimulatedFan("fan-hot", true); SimulatedFan calm = new SimulatedFan("fan-calm", false);
             GyroOpcUaServer opc = server(cert);
             AutoCloseable a = opc.addDevice(hot.watch); AutoCloseable b = opc.addDevice(calm.watch)) {
            OpcUaClient c = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            try {
                OpcUaSubscription sub = new OpcUaSubscription(c, 100.0);
                sub.create();
                EventFilter filter = new EventFilterBuilder()
                        .select(NodeIds.BaseEventType, new QualifiedName(0, "SourceName")).build();
                List<String> onCalm = Collections.synchronizedList(new ArrayList<>());
                List<String> onHot = Collections.synchronizedList(new ArrayList<>());
                OpcUaMonitoredItem i1 = OpcUaMonitoredItem.newEventItem(node(c, "fan-calm"), filter);
                i1.setEventValueListener((i, f) -> onCalm.add((String) f[0].getValue()));
                OpcUaMonitoredItem i2 = OpcUaMonitoredItem.newEventItem(node(c, "fan-hot"), filter);
                i2.setEventValueListener((i, f) -> onHot.add((String) f[0].getValue()));
                sub.addMonitoredItems(List.of(i1, i2));
                sub.synchronizeMonitoredItems();
                hot.dev.injectFault(new Fault.Imbalance(2.0));
                Await.until("the hot fan's alarm", Duration.ofSeconds(30), () -> !onHot.isEmpty());
                assertEquals(List.of("fan-hot"), onHot.stream().distinct().collect(Collectors.toList()));
                assertEquals(List.of(), onCalm, "no event on the calm fan's object");
            } finally {
                c.disconnect();
            }
        }
    }

    static StatusCode status(CallMethodResult r) {
        assertNotNull(r);
        return r.getStatusCode();
    }
}
