package io.gyrosentinel.transport.serial.interop;

import java.nio.file.Path;

/**
 * The device contract against the C device core (gs_virtual_device: the ESP-IDF component's portable core built for
 * the host, its simulated sensor and file-backed model slots) over a real PTY.
 */
class NativeDeviceContractTest extends DeviceContract {

    @Override
    protected DeviceUnderTest start(Path storage, Path publicKey) {
        String[] args = {"--model-dir", storage.toString(), "--public-key", publicKey.toString(), "--device-id",
            DEVICE_ID};
        return new DeviceUnderTest() {
            NativeVirtualDevice dev = NativeVirtualDevice.start(args);

            @Override
            public String uri() {
                return dev.uri();
            }

            @Override
            public void unplug() {
                dev.unplug();
            }

            @Override
            public void replug() throws java.io.IOException {
                dev.replug();
            }

            @Override
            public void restart() {
                dev.close();
                dev = NativeVirtualDevice.start(args);
            }

            @Override
            public Path slotFile(int slot) {
                return storage.resolve("slot" + slot + ".bin");
            }

            @Override
            public String log() {
                return dev.log();
            }

            @Override
            public void close() {
                dev.close();
            }
        };
    }
}
