package io.gyrosentinel.transport;

import java.util.Set;

/**
 * Service-provider interface for transports. Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.gyrosentinel.transport.TransportProvider}, or register an instance
 * at run time with {@link Transports#register(TransportProvider)}.
 *
 * <p>A minimal TCP transport, for example:
 * <pre>{@code
 * public final class TcpTransportProvider implements TransportProvider {
 *     public Set<String> schemes() { return Set.of("tcp"); }
 *     public Transport open(Endpoint e) {
 *         return new StreamTransport(e.uri(), () -> {
 *             Socket s = new Socket(e.host(), e.port());
 *             return StreamTransport.Connection.of(s.getInputStream(), s.getOutputStream(), s);
 *         }, StreamTransport.Options.fromEndpoint(e));
 *     }
 * }
 * }</pre>
 */
public interface TransportProvider {

    /** {@return the URI schemes served, lower case, e.g. {@code serial}} */
    Set<String> schemes();

    /**
     * Creates an unconnected transport for the endpoint; {@link Transport#start} connects it.
     *
     * @param endpoint the parsed URI, with one of {@link #schemes()}
     * @return the transport
     * @throws io.gyrosentinel.GyroSentinelException {@code BAD_URI} when the endpoint's options are invalid
     */
    Transport open(Endpoint endpoint);

    /** {@return one line for listings, e.g. "USB serial ports (jSerialComm)"; by default the class name} */
    default String description() {
        return getClass().getName();
    }
}
