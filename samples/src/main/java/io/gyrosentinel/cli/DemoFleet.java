package io.gyrosentinel.cli;

import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.MachineModel;
import io.gyrosentinel.sim.SignalGenerator;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.FeatureModelTrainer;
import io.gyrosentinel.training.ModelFamily;
import io.gyrosentinel.training.TimeSeries;
import io.gyrosentinel.training.packaging.ModelPackager;
import io.gyrosentinel.training.packaging.PackagedModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code --demo N}: N simulated fans on the real protocol, each running the same anomaly model on the device (a
 * features + Mahalanobis model trained here on simulated normal data in a few seconds, packaged float32 and verified
 * in TFLite), and every third one with an imbalance fault on a schedule, so a console or a plant system has healthy
 * machines and alarms that come and go, with no hardware.
 */
final class DemoFleet implements AutoCloseable {
    /** Every third machine (1, 4, 7, ...) has a fault for this long ... */
    static final Duration FAULT_LENGTH = Duration.ofSeconds(15);
    /** ... once in this period, the first one this long after the start (plus 5 s per faulty machine before it). */
    static final Duration FAULT_PERIOD = Duration.ofSeconds(60);
    static final Duration FIRST_FAULT = Duration.ofSeconds(20);
    private static final double ODR = 960;

    private final List<VirtualDevice> devices = new ArrayList<>();
    private final List<DeviceClient> clients = new ArrayList<>();
    private final ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-faults");
        t.setDaemon(true);
        return t;
    });

    private DemoFleet() {
    }

    /** The demo model: trained on 3 × 20 s of a simulated 1500 rpm fan, packaged float32, verified. */
    static ModelBundle model() {
        List<TimeSeries> normal = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            float[] x = new SignalGenerator(MachineModel.fan(1500), ODR, seed, 1000 + seed).generate((int) (20 * ODR));
            normal.add(TimeSeries.builder().name("normal-" + seed).samples(x, 3).sampleRateHz(ODR)
                    .label(SessionLabel.NORMAL).build());
        }
        FeatureModel m = FeatureModelTrainer.builder().family(ModelFamily.FEATURES_MAHALANOBIS).windowLength(64)
                .build().train(normal);
        PackagedModel p = ModelPackager.builder().modelId("demo-fan-mahalanobis").stride(32).build().pack(m);
        return p.bundle();
    }

    /**
     * Starts the fleet: N devices {@code demo-fan-01} ... with the model deployed and active, faults scheduled.
     *
     * @param n how many machines, 1..1000
     * @return the running fleet; its clients are connected
     */
    static DemoFleet start(int n) {
        return start(n, FIRST_FAULT);
    }

    /**
     * As {@link #start(int)}, the first fault at another time (tests).
     *
     * @param n          how many machines
     * @param firstFault when machine 2's first fault starts; machine 2 + 3k's is 5 k s later
     * @return the running fleet
     */
    static DemoFleet start(int n, Duration firstFault) {
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException("--demo: between 1 and 1000 machines, not " + n);
        }
        ModelBundle bundle = model();
        DemoFleet f = new DemoFleet();
        try {
            for (int i = 0; i < n; i++) {
                VirtualDevice dev = VirtualDevice.builder().deviceId(String.format(Locale.ROOT, "demo-fan-%02d", i + 1))
                        .seed(i + 1).machine(MachineModel.fan(1500)).realTime(true).build();
                f.devices.add(dev);
                DeviceClient c = DeviceClient.builder().transport(dev.newTransport()).connect();
                f.clients.add(c);
                c.deploy(bundle);
                if (i % 3 == 1) {
                    long first = firstFault.toMillis() + 5000L * (i / 3);
                    f.faults.scheduleAtFixedRate(() -> dev.injectFault(new Fault.Imbalance(0.8)), first,
                            FAULT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
                    f.faults.scheduleAtFixedRate(dev::clearFaults, first + FAULT_LENGTH.toMillis(),
                            FAULT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** {@return the connected clients, one per machine, in order} */
    List<DeviceClient> clients() {
        return clients;
    }

    /** {@return the simulated devices, in the clients' order} */
    List<VirtualDevice> devices() {
        return devices;
    }

    @Override
    public void close() {
        faults.shutdownNow();
        for (DeviceClient c : clients) {
            c.close();
        }
        for (VirtualDevice d : devices) {
            d.close();
        }
    }
}
