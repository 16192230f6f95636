package example;

import io.gyrosentinel.SampleBlock;
import io.gyrosentinel.SensorConfig;
import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.recording.RecordingWriter;
import io.gyrosentinel.recording.SessionLabel;
import io.gyrosentinel.stream.GyroStream;

import java.nio.file.Path;
import java.time.Duration;

public class Quickstart {
    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "sim:?rpm=1500";       // or serial:/dev/ttyUSB0, mqtt://host:1883/pump-7
        try (DeviceClient dev = DeviceClient.connect(uri);
             AutoCloseable alarms = dev.onEvent(e -> System.out.println("anomaly: " + e))) { // the device model's events
            dev.configure(SensorConfig.builder().odrHz(1920).fullScaleDps(500).build());
            try (RecordingWriter rec = RecordingWriter.create(Path.of("normal.gsr"),          // closed after the stream
                     RecordingWriter.deviceSession(SessionLabel.NORMAL, "fan-1", dev.config(), dev.uri()),
                     dev.config(), dev.info());
                 GyroStream stream = dev.stream()) {
                stream.collectTo(rec);                                    // record while you look at the data
                SampleBlock b = stream.poll(Duration.ofSeconds(1));       // primitive arrays; null on time-out
                if (b != null) {
                    System.out.printf("%d samples, x[0] = %.3f dps, gaps: %d%n",
                            b.count(), b.value(0, 0), stream.stats().gaps());
                }
            }
        }
    }
}
