package io.gyrosentinel.transport.serial;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.testing.TransportContract;
import io.gyrosentinel.transport.serial.pty.Pty;
import io.gyrosentinel.transport.serial.pty.PtyDevice;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** The transport contract over a real PTY: {@code serial:/dev/pts/N} with a VirtualDevice on the master. */
class SerialTransportContractTest extends TransportContract {
    private final List<AutoCloseable> fixtures = new ArrayList<>();

    @Override
    protected DeviceClient connect() {
        PtyDevice dev = PtyDevice.plug(VirtualDevice.builder().build());
        fixtures.add(dev);
        return DeviceClient.connect("serial:" + dev.slavePath());
    }

    @AfterEach
    void unplugDevices() throws Exception {
        for (AutoCloseable f : fixtures) {
            f.close();
        }
    }

    static {
        // fail early and clearly if this machine cannot make PTYs
        try {
            Pty.open().close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create a pseudo-terminal: " + e, e);
        }
    }
}
