package io.gyrosentinel.cli;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.stream.GyroStream;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The devices of {@code bridge} and {@code serve}: each {@code --device} URI and the {@code --demo N} fleet,
 * connected, streaming, each followed by a {@link DeviceWatch}. Closes everything it opened, in reverse order.
 */
final class LiveDevices implements AutoCloseable {
    /** One streaming device. */
    record Live(DeviceClient client, DeviceWatch watch, GyroStream stream) {
    }

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Live> live = new ArrayList<>();

    private LiveDevices() {
    }

    /** {@return no devices (other things may still be kept until close)} */
    static LiveDevices none() {
        return new LiveDevices();
    }

    static LiveDevices open(List<String> uris, int demo, PrintWriter pw) {
        LiveDevices d = new LiveDevices();
        try {
            List<DeviceClient> clients = new ArrayList<>();
            for (String uri : uris) {
                DeviceClient c = DeviceClient.connect(uri);
                d.open.add(c);
                clients.add(c);
                pw.printf("following %s (%s)%n", Terminal.safe(c.info().deviceId()), Terminal.safe(uri));
            }
            if (demo > 0) {
                pw.printf("starting %d simulated fans (training their model takes a few seconds) ...%n", demo);
                pw.flush();
                DemoFleet fleet = DemoFleet.start(demo);
                d.open.add(fleet);
                clients.addAll(fleet.clients());
                pw.printf("following %d simulated fans demo-fan-01 ... (faults on demo-fan-02, -05, ...)%n", demo);
            }
            for (DeviceClient c : clients) {
                DeviceWatch watch = DeviceWatch.follow(c);
                d.open.add(watch);
                GyroStream s = c.stream(StreamOptions.defaults());
                d.open.add(s);
                d.open.add(s.collectTo(watch.collector()));
                d.live.add(new Live(c, watch, s));
            }
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        pw.flush();
        return d;
    }

    List<Live> devices() {
        return live;
    }

    /** Keeps something open until the devices close, and closes it before them. */
    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // closing what is left; the first failure already went to the user
            }
        }
        open.clear();
    }
}
