package io.gyrosentinel.samples;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.TransportContract;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** The sample TCP transport passes the same contract as the built-in ones. */
class TcpTransportContractTest extends TransportContract {
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    protected DeviceClient connect() {
        try {
            ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            VirtualDevice dev = VirtualDevice.builder().realTime(false).build();
            open.add(server);
            open.add(dev);
            Thread t = new Thread(() -> {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    dev.attach(s.getInputStream(), s.getOutputStream());
                } catch (IOException e) {
                    // server closed
                }
            });
            t.setDaemon(true);
            t.start();
            return DeviceClient.connect("tcp://127.0.0.1:" + server.getLocalPort() + "?reconnect=false");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }
}
