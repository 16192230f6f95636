package io.gyrosentinel.integration.opcua;

import static io.gyrosentinel.integration.opcua.OpcUaTestSupport.PASSWORD;
import static io.gyrosentinel.integration.opcua.OpcUaTestSupport.connect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.integration.opcua.OpcUaTestSupport.ClientCert;
import io.gyrosentinel.testing.SimulatedFan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Who may connect and who may call: users, anonymous, the trust list, the PKI directory, bad input. */
@Timeout(60)
class OpcUaSecurityTest {
    @TempDir
    Path pki;

    private static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static long status(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UaException u) {
                return u.getStatusCode().value();
            }
        }
        return 0;
    }

    @Test
    void onlyTheRightPasswordOpensASessionAndAnonymousIsRefused() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        cert.trustIn(pki);
        try (GyroOpcUaServer opc = GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("operator", PASSWORD)
                .build().start()) {
            List<EndpointDescription> endpoints = DiscoveryClient.getEndpoints(opc.endpointUrl()).get();
            assertEquals(1, endpoints.size(), "only the secure endpoint: " + endpoints);
            EndpointDescription e = endpoints.get(0);
            assertEquals(SecurityPolicy.Basic256Sha256.getUri(), e.getSecurityPolicyUri());
            assertEquals(MessageSecurityMode.SignAndEncrypt, e.getSecurityMode());
            assertTrue(Arrays.stream(e.getUserIdentityTokens()).noneMatch(p -> p.getTokenType()
                    == UserTokenType.Anonymous), "no anonymous token policy");
            assertTrue(e.getServerCertificate().bytesOrEmpty().length > 0, "the server certificate");

            Exception anon = assertThrows(Exception.class, () -> connect(opc.endpointUrl(),
                    SecurityPolicy.Basic256Sha256, cert, new AnonymousProvider()));
            assertTrue(root(anon).getMessage() != null, anon.toString());
            Exception wrong = assertThrows(Exception.class, () -> connect(opc.endpointUrl(),
                    SecurityPolicy.Basic256Sha256, cert, new UsernameProvider("operator", "wrong")));
            assertTrue(status(wrong) == StatusCodes.Bad_UserAccessDenied
                    || status(wrong) == StatusCodes.Bad_IdentityTokenRejected
                    || status(wrong) == StatusCodes.Bad_IdentityTokenInvalid, "refused: " + wrong);
            Exception nobody = assertThrows(Exception.class, () -> connect(opc.endpointUrl(),
                    SecurityPolicy.Basic256Sha256, cert, new UsernameProvider("intruder", new String(PASSWORD))));
            assertTrue(status(nobody) != 0, nobody.toString());
            Exception plain = assertThrows(Exception.class, () -> connect(opc.endpointUrl(), SecurityPolicy.None,
                    cert, new UsernameProvider("operator", new String(PASSWORD))));
            assertTrue(plain.getMessage() != null, "no None endpoint: " + plain);

            OpcUaClient c = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            assertEquals(MessageSecurityMode.SignAndEncrypt, c.getConfig().getEndpoint().getSecurityMode());
            assertTrue(c.readValues(0, TimestampsToReturn.Both, List.of(new NodeId(0, 2259))).get(0)
                    .getStatusCode().isGood(), "reads the server state");
            c.disconnect();
        }
    }

    @Test
    void anUntrustedClientCertificateIsRejectedAndQuarantined() throws Exception {
        ClientCert stranger = OpcUaTestSupport.clientCert();
        try (GyroOpcUaServer opc = GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("operator", PASSWORD)
                .build().start()) {
            Exception e = assertThrows(Exception.class, () -> connect(opc.endpointUrl(),
                    SecurityPolicy.Basic256Sha256, stranger, new UsernameProvider("operator", new String(PASSWORD))));
            assertTrue(status(e) != 0, e.toString());
            try (var rejected = Files.list(opc.rejectedCertificatesDirectory())) {
                assertEquals(1, rejected.count(), "the certificate waits in rejected/certs");
            }
        }
    }

    @Test
    void anonymousMayReadButNotCallMethods() throws Exception {
        ClientCert cert = OpcUaTestSupport.clientCert();
        cert.trustIn(pki);
        try (SimulatedFan fan = new SimulatedFan("fan-anon", false);
             GyroOpcUaServer opc = GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("operator", PASSWORD)
                     .allowAnonymous(true).allowInsecure(true).build().start();
             AutoCloseable served = opc.addDevice(fan.watch)) {
            assertEquals(2, DiscoveryClient.getEndpoints(opc.endpointUrl()).get().size(), "secure and None");
            for (SecurityPolicy p : List.of(SecurityPolicy.Basic256Sha256, SecurityPolicy.None)) {
                OpcUaClient c = connect(opc.endpointUrl(), p, cert, new AnonymousProvider());
                try {
                    int ns = c.getNamespaceTable().getIndex(GyroOpcUaServer.NAMESPACE_URI).intValue();
                    assertEquals("ma-1", c.readValues(0, TimestampsToReturn.Both,
                            List.of(new NodeId(ns, "fan-anon/ActiveModel"))).get(0).getValue().getValue());
                    var ack = c.call(List.of(new CallMethodRequest(new NodeId(ns, "fan-anon"),
                            new NodeId(ns, "fan-anon/AcknowledgeAlarm"), new Variant[]{Variant.ofString("x")})))
                            .getResults()[0];
                    assertEquals(StatusCodes.Bad_UserAccessDenied, ack.getStatusCode().value(), p.toString());
                    var cal = c.call(List.of(new CallMethodRequest(new NodeId(ns, "fan-anon"),
                            new NodeId(ns, "fan-anon/Calibrate"),
                            new Variant[]{Variant.ofDouble(1.0), Variant.ofDouble(0.99)}))).getResults()[0];
                    assertEquals(StatusCodes.Bad_UserAccessDenied, cal.getStatusCode().value(), p.toString());
                } finally {
                    c.disconnect();
                }
            }
            OpcUaClient op = connect(opc.endpointUrl(), SecurityPolicy.Basic256Sha256, cert,
                    new UsernameProvider("operator", new String(PASSWORD)));
            try {
                int ns = op.getNamespaceTable().getIndex(GyroOpcUaServer.NAMESPACE_URI).intValue();
                var bad = op.call(List.of(new CallMethodRequest(new NodeId(ns, "fan-anon"),
                        new NodeId(ns, "fan-anon/Calibrate"),
                        new Variant[]{Variant.ofDouble(9999.0), Variant.ofDouble(0.99)}))).getResults()[0];
                assertEquals(StatusCodes.Bad_InvalidArgument, bad.getStatusCode().value(), "duration checked");
            } finally {
                op.disconnect();
            }
        }
    }

    @Test
    void theCertificateIsKeptAcrossRestartsAndBadInputIsNamed() throws Exception {
        String uri;
        byte[] first;
        try (GyroOpcUaServer a = GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("u", PASSWORD).build()) {
            uri = a.applicationUri();
            first = Files.readAllBytes(pki.resolve("own").resolve("server.pfx"));
        }
        try (GyroOpcUaServer b = GyroOpcUaServer.builder().port(0).pkiDirectory(pki).user("u", PASSWORD).build()
                .start()) {
            assertEquals(uri, b.applicationUri());
            assertArrayEquals(first, Files.readAllBytes(pki.resolve("own").resolve("server.pfx")), "reused");
            try (SimulatedFan fan = new SimulatedFan("dup-1", false); AutoCloseable one = b.addDevice(fan.watch)) {
                IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                        () -> b.addDevice(fan.watch));
                assertTrue(dup.getMessage().contains("dup-1"), dup.getMessage());
            }
        }
        Path file = Files.writeString(pki.resolve("not-a-dir"), "x");
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
                () -> GyroOpcUaServer.builder().pkiDirectory(file).user("u", PASSWORD).build());
        assertTrue(notDir.getMessage().contains(file.toString()), notDir.getMessage());
        IllegalStateException noLogin = assertThrows(IllegalStateException.class,
                () -> GyroOpcUaServer.builder().pkiDirectory(pki).build());
        assertTrue(noLogin.getMessage().contains("user"), noLogin.getMessage());
        assertThrows(IllegalStateException.class, () -> GyroOpcUaServer.builder().user("u", PASSWORD).build());
        assertThrows(IllegalArgumentException.class, () -> GyroOpcUaServer.builder().user("u", PASSWORD)
                .user("u", PASSWORD));
    }
}
