package io.gyrosentinel.samples;

import io.gyrosentinel.client.DeviceClient;
import io.gyrosentinel.client.StreamOptions;
import io.gyrosentinel.samples.collector.RmsCsvCollector;
import io.gyrosentinel.stream.GyroStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RmsCsvCollectorTest {
    @TempDir
    Path dir;

    @Test
    void writesOneRowPerBlockWithTheRmsOfEachChannel() throws Exception {
        Path csv = dir.resolve("rms.csv");
        try (DeviceClient c = DeviceClient.connect("sim:?realtime=false");
             GyroStream s = c.stream(StreamOptions.defaults().withMaxSamples(io.gyrosentinel.DeviceLimits.DEFAULT_BATCH_SIZE * 20))) {
            AutoCloseable h = s.collectTo(new RmsCsvCollector(csv));
            while (s.poll(Duration.ofSeconds(5)) != null) {
                // drain
            }
            h.close();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("first_sample,timestamp_us,rms_0,rms_1,rms_2", lines.get(0));
        assertEquals(21, lines.size());
        double rmsX = Double.parseDouble(lines.get(5).split(",")[2]);
        assertTrue(rmsX > 1.0 && rmsX < 2.2, "x rms of the simulated fan: " + rmsX);
    }
}
