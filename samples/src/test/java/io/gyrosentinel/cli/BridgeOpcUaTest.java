package io.gyrosentinel.cli;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;

import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gyrosentinel bridge --opcua}: a Milo client browses the bridged devices while the CLI runs. */
@Timeout(90)
class BridgeOpcUaTest {
    @TempDir
    Path tmp;

    private static List<ReferenceDescription> browse(OpcUaClient c, NodeId node) throws Exception {
        var r = c.browse(new BrowseDescription(node, BrowseDirection.Forward, NodeIds.HierarchicalReferences, true,
                uint(NodeClass.Object.getValue() | NodeClass.Variable.getValue()),
                uint(BrowseResultMask.All.getValue())));
        return r.getReferences() == null ? List.of() : Arrays.asList(r.getReferences());
    }

    @Test
    void bridgeServesTheDevicesOverOpcUa() throws Exception {
        CliRun run = new CliRun("bridge", "--opcua", "0", "--opcua-pki", tmp.resolve("pki").toString(),
                "--opcua-allow-anonymous", "--opcua-insecure", "--duration", "10s", "--device", "sim:?id=fan-a",
                "--device", "sim:?id=fan-b");
        Matcher m = run.await("over OPC UA at (opc\\.tcp://\\S+)");
        OpcUaClient c = OpcUaClient.create(m.group(1),
                endpoints -> endpoints.stream().filter(e -> SecurityPolicy.None.getUri().equals(e.getSecurityPolicyUri()))
                        .findFirst(),
                transport -> { },
                b -> b.setIdentityProvider(new AnonymousProvider()).setRequestTimeout(uint(20_000)));
        c.connect();
        try {
            ReferenceDescription folder = browse(c, NodeIds.ObjectsFolder).stream()
                    .filter(r -> r.getBrowseName().getName().equals("GyroSentinel")).findFirst().orElseThrow();
            NodeId folderId = folder.getNodeId().toNodeId(c.getNamespaceTable()).orElseThrow();
            List<String> devices = browse(c, folderId).stream().map(r -> r.getBrowseName().getName()).sorted().toList();
            assertEquals(List.of("fan-a", "fan-b"), devices);
        } finally {
            c.disconnect();
        }
        assertEquals(0, run.exit.get(), run.err.toString());
    }
}
