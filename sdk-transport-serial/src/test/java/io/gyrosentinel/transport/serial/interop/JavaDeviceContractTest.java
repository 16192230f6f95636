package io.gyrosentinel.transport.serial.interop;

import io.gyrosentinel.model.SigningKeys;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.transport.serial.pty.PtyDevice;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;

/** The device contract against the Java VirtualDevice (what {@code sim:} runs), plugged in on a real PTY. */
class JavaDeviceContractTest extends DeviceContract {

    @Override
    protected DeviceUnderTest start(Path storage, Path publicKey) throws IOException {
        PublicKey key = SigningKeys.readPublicKey(publicKey);
        return new DeviceUnderTest() {
            VirtualDevice vd = build();
            final PtyDevice pty = PtyDevice.plug(vd);

            private VirtualDevice build() {
                return VirtualDevice.builder().deviceId(DEVICE_ID).realTime(true).trustedKey(key)
                        .modelDirectory(storage).inferenceEngine(new ContractModels()).build();
            }

            @Override
            public String uri() {
                return "serial:" + pty.link();
            }

            @Override
            public void unplug() throws IOException {
                pty.unplug();
            }

            @Override
            public void replug() throws IOException {
                pty.replug();
            }

            @Override
            public void restart() throws IOException {
                pty.unplug();
                vd.close();
                vd = build();
                pty.replug(vd);
            }

            @Override
            public Path slotFile(int slot) {
                return storage.resolve("slot-" + slot + ".bin");
            }

            @Override
            public String log() {
                return "(the Java device logs through SLF4J)";
            }

            @Override
            public void close() {
                pty.close();
                vd.close();
            }
        };
    }
}
