package io.gyrosentinel.testing;

import io.gyrosentinel.client.DeviceClient;

/** The contract against the in-process {@code sim:} transport. */
class SimTransportContractTest extends TransportContract {
    @Override
    protected DeviceClient connect() {
        return DeviceClient.connect("sim:?realtime=false");
    }
}
