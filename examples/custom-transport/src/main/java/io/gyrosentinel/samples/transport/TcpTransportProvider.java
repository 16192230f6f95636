package io.gyrosentinel.samples.transport;

import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.StreamTransport;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportProvider;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;

/**
 * A custom transport in 20 lines: {@code tcp://host:port} to a device (or a serial-to-TCP
 * bridge) that speaks the framed GyroSentinel protocol. Registered in
 * META-INF/services/io.gyrosentinel.transport.TransportProvider, so
 * {@code DeviceClient.connect("tcp://10.0.0.7:7000")} just works.
 */
public final class TcpTransportProvider implements TransportProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("tcp");
    }

    @Override
    public String description() {
        return "framed protocol over TCP (sample custom transport)";
    }

    @Override
    public Transport open(Endpoint e) {
        e.requireKnownParams(Set.of("reconnect", "backoffMs", "maxBackoffMs", "connectTimeoutMs"));
        int timeout = e.intParam("connectTimeoutMs", 3000);
        return new StreamTransport("tcp://" + e.host() + ":" + e.port(7000), () -> {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(e.host(), e.port(7000)), timeout);
            return StreamTransport.Connection.of(s.getInputStream(), s.getOutputStream(), s);
        }, StreamTransport.Options.fromEndpoint(e));
    }
}
