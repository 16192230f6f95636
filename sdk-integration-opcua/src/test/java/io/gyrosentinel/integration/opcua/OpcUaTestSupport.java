package io.gyrosentinel.integration.opcua;

import io.gyrosentinel.client.DeviceWatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseResult;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

/** A simulated fan followed by a DeviceWatch, a client certificate, and Milo clients. */
final class OpcUaTestSupport {
    static final String CLIENT_URI = "urn:gyrosentinel:test-client";
    static final char[] PASSWORD = "s3cret-pass".toCharArray();

    private OpcUaTestSupport() {
    }

    /** A client key pair and self-signed certificate. */
    record ClientCert(KeyPair keyPair, X509Certificate certificate) {
        /** Puts the certificate in the server's trust list (before the server is built). */
        void trustIn(Path pki) throws Exception {
            Path dir = pki.resolve("trusted").resolve("certs");
            Files.createDirectories(dir);
            Files.write(dir.resolve("test-client.der"), certificate.getEncoded());
        }
    }

    static ClientCert clientCert() throws Exception {
        KeyPair kp = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate c = new SelfSignedCertificateBuilder(kp).setCommonName("gyrosentinel test client")
                .setApplicationUri(CLIENT_URI).addDnsName("localhost").addIpAddress("127.0.0.1").build();
        return new ClientCert(kp, c);
    }

    /** Connects over the given policy (SignAndEncrypt unless None). */
    static OpcUaClient connect(String url, SecurityPolicy policy, ClientCert cert, IdentityProvider identity)
            throws Exception {
        OpcUaClient c = OpcUaClient.create(url,
                endpoints -> endpoint(endpoints, policy),
                transport -> { },
                b -> b.setApplicationName(LocalizedText.english("gyrosentinel test client"))
                        .setApplicationUri(CLIENT_URI)
                        .setKeyPair(cert.keyPair())
                        .setCertificate(cert.certificate())
                        .setCertificateChain(new X509Certificate[]{cert.certificate()})
                        .setIdentityProvider(identity)
                        .setRequestTimeout(uint(20_000)));
        try {
            return c.connect();
        } catch (Exception e) {
            try {
                c.disconnect();
            } catch (Exception ignored) {
                // not connected
            }
            throw e;
        }
    }

    static Optional<EndpointDescription> endpoint(List<EndpointDescription> endpoints, SecurityPolicy policy) {
        MessageSecurityMode mode = policy == SecurityPolicy.None ? MessageSecurityMode.None
                : MessageSecurityMode.SignAndEncrypt;
        return endpoints.stream().filter(e -> policy.getUri().equals(e.getSecurityPolicyUri())
                && e.getSecurityMode() == mode).findFirst();
    }

    static List<ReferenceDescription> browse(OpcUaClient c, NodeId node) throws Exception {
        BrowseResult r = c.browse(new BrowseDescription(node, BrowseDirection.Forward,
                NodeIds.HierarchicalReferences, true, uint(NodeClass.Object.getValue() | NodeClass.Variable.getValue()
                | NodeClass.Method.getValue()), uint(BrowseResultMask.All.getValue())));
        return r.getReferences() == null ? List.of() : Arrays.asList(r.getReferences());
    }
}
