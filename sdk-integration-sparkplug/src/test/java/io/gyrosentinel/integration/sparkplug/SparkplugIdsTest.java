package io.gyrosentinel.integration.sparkplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.integration.sparkplug.internal.SparkplugIds;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Group, edge node and device ids follow the Sparkplug topic rules; errors name the field. */
class SparkplugIdsTest {
    private static SparkplugEdgeNode.Builder valid() {
        return SparkplugEdgeNode.builder().broker("mqtt://127.0.0.1:1").groupId("plant 1").edgeNodeId("gw-ä.7");
    }

    @Test
    void acceptsUtf8IdsWithoutReservedCharacters() {
        SparkplugEdgeNode n = valid().build();
        assertEquals("plant 1", n.groupId());
        assertEquals("gw-ä.7", n.edgeNodeId());
        n.close();
        assertEquals("fan:3_x", SparkplugIds.check("deviceId", "fan:3_x"));
    }

    @Test
    void rejectsReservedCharactersNamingTheField() {
        for (String bad : new String[] {"a/b", "a+b", "a#", "+", "/"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> valid().groupId(bad).build());
            assertTrue(e.getMessage().contains("groupId") && e.getMessage().contains(bad), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> valid().edgeNodeId(bad).build());
            assertTrue(e.getMessage().contains("edgeNodeId"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> SparkplugIds.check("deviceId", bad));
            assertTrue(e.getMessage().contains("deviceId"), e.getMessage());
        }
    }

    @Test
    void rejectsMissingEmptyAndControlCharacters() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> valid().groupId(null).build()).getMessage()
                .contains("groupId is not set"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> valid().edgeNodeId("").build()).getMessage()
                .contains("edgeNodeId must not be empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> valid().edgeNodeId("a\nb").build())
                .getMessage().contains("control character"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SparkplugIds.check("deviceId", "x\uD800"))
                .getMessage().contains("deviceId"));
    }

    @Test
    void checksTheBrokerUriAndInterval() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> valid().broker(null).build()).getMessage()
                .contains("broker is not set"));
        assertThrows(GyroSentinelException.class, () -> valid().broker("http://x:1").build());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> valid().broker("mqtt://x:1/fan-1").build())
                .getMessage().contains("must not have a path"));
        assertThrows(IllegalArgumentException.class, () -> valid().minPublishInterval(Duration.ofMillis(-1)));
    }

    @Test
    void startFailsClearlyWithoutABroker() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (SparkplugEdgeNode n = valid().broker("mqtt://127.0.0.1:" + port + "?connectTimeout=2").build()) {
            GyroSentinelException e = assertThrows(GyroSentinelException.class, n::start);
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        }
    }
}
