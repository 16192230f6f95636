package io.gyrosentinel.testing;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;

/**
 * The integrations' test device: a simulated fan in real time (960 Hz) with the moving-average model deployed
 * ({@code ma-1}, threshold {@link MovingAverageEngine#fanThreshold()}), a connected client, a
 * {@link DeviceWatch}, and — when asked — a stream feeding the watch its gaps. {@code dev.injectFault(new Fault.Imbalance(2.0))} opens an
 * anomaly episode within seconds; {@code dev.clearFaults()} ends it.
 */
public final class SimulatedFan implements AutoCloseable {
    public final VirtualDevice dev;
    public final DeviceClient client;
    public final DeviceWatch watch;
    /** The stream, or null when the fan was made without one. */
    public final GyroStream stream;
    public final double threshold;
    private final AutoCloseable feed;

    public SimulatedFan(String id, boolean stream) {
        this(VirtualDevice.builder().deviceId(id), stream);
    }

    /** A fan from a builder of the caller's (seed, machine, trusted key ...): real time and the engine are set here. */
    public SimulatedFan(VirtualDevice.Builder device, boolean stream) {
        threshold = MovingAverageEngine.fanThreshold();
        dev = device.realTime(true).inferenceEngine(new MovingAverageEngine()).build();
        client = DeviceClient.builder().transport(dev.newTransport()).connect();
        client.deploy(MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold), 1000));
        watch = DeviceWatch.follow(client);
        this.stream = stream ? client.stream(StreamOptions.defaults()) : null;
        feed = stream ? this.stream.collectTo(watch.collector()) : null;
    }

    @Override
    public void close() throws Exception {
        if (feed != null) {
            feed.close();
            stream.close();
        }
        watch.close();
        client.close();
        dev.close();
    }
}
