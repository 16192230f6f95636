package io.gyrosentinel.transport.mqtt.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories that turn Nagle's algorithm off. Paho writes a QoS 1 PUBLISH and its PUBACK as
 * small separate segments; with Nagle and delayed ACKs each round trip can stall for ~40 ms.
 */
public final class NoDelaySockets {
    private NoDelaySockets() {
    }

    static Socket tune(Socket s) throws SocketException {
        s.setTcpNoDelay(true);
        return s;
    }

    /** Plain TCP. */
    public static SocketFactory plain() {
        SocketFactory d = SocketFactory.getDefault();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return tune(d.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return tune(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return tune(d.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return tune(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return tune(d.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    /** TLS over a TCP_NODELAY socket; Paho requires an {@link SSLSocketFactory} for ssl:// URIs. */
    public static SSLSocketFactory tls(SSLSocketFactory d) {
        return new SSLSocketFactory() {
            @Override
            public String[] getDefaultCipherSuites() {
                return d.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return d.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket() throws IOException {
                return tune(d.createSocket());
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                return tune(d.createSocket(s, host, port, autoClose));
            }

            @Override
            public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
                return tune(d.createSocket(s, consumed, autoClose));
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return tune(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return tune(d.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return tune(d.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return tune(d.createSocket(address, port, localAddress, localPort));
            }
        };
    }
}
