package io.gyrosentinel.integration.sparkplug;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.eclipse.tahu.model.MetricDataTypeMap;

/**
 * A Sparkplug host for tests: subscribes to {@code spBv1.0/{group}/#} on a real broker and decodes every message with
 * Tahu's decoder, resolving DDATA aliases with the names and datatypes of the device's last DBIRTH.
 */
final class SparkplugSubscriber implements AutoCloseable {
    /** One decoded message. */
    record Msg(String type, String node, String device, Long seq, long timestamp, Map<String, Object> values,
               Map<String, MetricDataType> types, Map<String, Long> aliases, Map<String, Long> metricTimestamps,
               boolean namesInData, boolean typesInData) {
        Object value(String name) {
            if (!values.containsKey(name)) {
                throw new AssertionError("no metric " + name + " in " + this);
            }
            return values.get(name);
        }

        long bdSeq() {
            return (Long) value("bdSeq");
        }
    }

    private final MqttAsyncClient client;
    private final String group;
    private final List<Msg> messages = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, Map<Long, String>> aliasNames = new HashMap<>();
    private final Map<String, MetricDataTypeMap> aliasTypes = new HashMap<>();

    SparkplugSubscriber(String brokerUri, String group) throws MqttException {
        this.group = group;
        String server = brokerUri.replace("mqtt://", "tcp://");
        client = new MqttAsyncClient(server, "test-host-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                try {
                    decode(topic, m);
                } catch (Exception e) {
                    errors.add(topic + ": " + e);
                }
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o).waitForCompletion(10_000);
        client.subscribe("spBv1.0/" + group + "/#", 1).waitForCompletion(10_000);
    }

    private synchronized void decode(String topic, MqttMessage m) throws Exception {
        String[] t = topic.split("/");
        String type = t[2];
        String node = t[3];
        String device = t.length > 4 ? t[4] : null;
        byte[] bytes = m.getPayload();
        boolean data = type.equals("DDATA");
        MetricDataTypeMap map = data ? aliasTypes.getOrDefault(device, new MetricDataTypeMap()) : null;
        SparkplugBPayload p = new SparkplugBPayloadDecoder().buildFromByteArray(bytes, map);
        // what the wire says about names and datatypes in DATA messages
        var proto = org.eclipse.tahu.protobuf.SparkplugBProto.Payload.parseFrom(bytes);
        boolean names = proto.getMetricsList().stream().anyMatch(x -> x.hasName());
        boolean types = proto.getMetricsList().stream().anyMatch(x -> x.hasDatatype());
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, MetricDataType> dataTypes = new LinkedHashMap<>();
        Map<String, Long> aliases = new LinkedHashMap<>();
        Map<String, Long> stamps = new LinkedHashMap<>();
        if (type.equals("DBIRTH")) {
            Map<Long, String> n = new HashMap<>();
            MetricDataTypeMap tm = new MetricDataTypeMap();
            for (Metric x : p.getMetrics()) {
                n.put(x.getAlias(), x.getName());
                tm.addMetricDataType(x.getAlias(), x.getDataType());
            }
            aliasNames.put(device, n);
            aliasTypes.put(device, tm);
        }
        for (Metric x : p.getMetrics()) {
            String name = x.hasName() ? x.getName()
                    : aliasNames.getOrDefault(device, Map.of()).getOrDefault(x.getAlias(), "alias:" + x.getAlias());
            values.put(name, x.getValue());
            dataTypes.put(name, x.getDataType());
            if (x.hasAlias()) {
                aliases.put(name, x.getAlias());
            }
            if (x.getTimestamp() != null) {
                stamps.put(name, x.getTimestamp().getTime());
            }
        }
        messages.add(new Msg(type, node, device, p.getSeq(), p.getTimestamp() == null ? 0 : p.getTimestamp().getTime(),
                values, dataTypes, aliases, stamps, names, types));
        if (m.getQos() != (type.equals("NDEATH") ? 1 : 0) && !type.equals("NCMD")) {
            errors.add(type + " arrived with QoS " + m.getQos());
        }
        if (m.isRetained()) {
            errors.add(type + " arrived retained");
        }
    }

    List<Msg> messages() {
        return new ArrayList<>(messages);
    }

    List<String> errors() {
        return errors;
    }

    /** Waits for a message after index {@code from} that matches. */
    Msg await(int from, Predicate<Msg> p, String what) throws InterruptedException {
        long until = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < until) {
            List<Msg> all = messages();
            for (int i = from; i < all.size(); i++) {
                if (p.test(all.get(i))) {
                    return all.get(i);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what + "; got " + summary());
    }

    int indexOf(Msg m) {
        return messages().indexOf(m);
    }

    String summary() {
        StringBuilder b = new StringBuilder();
        for (Msg m : messages()) {
            b.append("\n  ").append(m.type()).append(m.device() == null ? "" : " " + m.device()).append(" seq=")
                    .append(m.seq()).append(' ').append(m.values());
        }
        return b.toString();
    }

    /** Publishes a rebirth request as a host would: NCMD with Node Control/Rebirth = true. */
    void requestRebirth(String node) throws Exception {
        SparkplugBPayload p = new SparkplugBPayload(new java.util.Date(), List.of(new Metric.MetricBuilder(
                "Node Control/Rebirth", MetricDataType.Boolean, true).createMetric()), null);
        client.publish("spBv1.0/" + group + "/NCMD/" + node, new SparkplugBPayloadEncoder().getBytes(p, false), 0,
                false).waitForCompletion(5000);
    }

    /** Publishes a primary host's STATE (retained, QoS 1), as a Sparkplug 3.0 host application does. */
    void publishState(String hostId, boolean online, long timestamp) throws MqttException {
        byte[] json = ("{\"online\" : " + online + ", \"timestamp\" : " + timestamp + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        client.publish("spBv1.0/STATE/" + hostId, json, 1, true).waitForCompletion(5000);
    }

    static long u64(Object v) {
        return ((BigInteger) v).longValueExact();
    }

    @Override
    public void close() throws MqttException {
        try {
            client.disconnect().waitForCompletion(2000);
        } finally {
            client.close(true);
        }
    }
}
