package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code gyrosentinel bridge}: two simulated devices, scraped over HTTP while it runs. */
@Timeout(60)
class BridgeCommandTest {

    @Test
    void bridgeServesEveryDevicesMetrics() throws Exception {
        CliRun run = new CliRun("bridge", "--prometheus", "0", "--duration", "4s", "--device", "sim:?id=fan-a",
                "--device", "sim:?id=fan-b");
        Matcher m = run.await("at http://0\\.0\\.0\\.0:(\\d+)/metrics");
        Thread.sleep(1000);
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String device : new String[] {"fan-a", "fan-b"}) {
            Matcher samples = Pattern.compile("gyrosentinel_samples_total\\{device=\"" + device + "\"} (\\S+)")
                    .matcher(body);
            assertTrue(samples.find(), body);
            assertTrue(Double.parseDouble(samples.group(1)) > 0, body);
            assertTrue(body.contains("gyrosentinel_online{device=\"" + device + "\"} 1.0"), body);
        }
        assertEquals(0, run.exit.get(), run.err.toString());
        assertTrue(run.out.toString().contains("following fan-a"), run.out.toString());
    }
}
