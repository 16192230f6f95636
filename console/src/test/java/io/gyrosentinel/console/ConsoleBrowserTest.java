package io.gyrosentinel.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gyrosentinel.AnomalyEvent;
import io.gyrosentinel.client.DeviceWatch;
import io.gyrosentinel.sim.Fault;
import io.gyrosentinel.sim.VirtualDevice;
import io.gyrosentinel.stream.GyroStream;
import io.gyrosentinel.testing.MovingAverageEngine;
import io.gyrosentinel.testing.SimulatedFan;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium): three
 * simulated fans with a model on the device, a fault turns one red, its alarm is acknowledged on the page and stays
 * acknowledged after the server restarts. Writes a screenshot of each page to target/screenshots (docs/console/
 * holds copies).
 */
@Timeout(180)
class ConsoleBrowserTest {
    static final Path SCREENSHOTS = Path.of("target/screenshots");

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<VirtualDevice> devices = new ArrayList<>();
    private final List<DeviceWatch> watches = new ArrayList<>();
    private final List<GyroStream> streams = new ArrayList<>();
    private WebDriver browser;

    static WebDriver chromium(Path profile) {
        for (String f : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            if (!new File(f).canExecute()) {
                throw new AssertionError(f + " is missing: apt-get install chromium chromium-driver "
                        + "(scripts/install-deps.sh does it)");
            }
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,860", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService s = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(s, o);
    }

    @BeforeEach
    void devices() throws Exception {
        double threshold = MovingAverageEngine.fanThreshold();
        for (String id : new String[] {"press-1", "pump-2", "fan-3"}) {
            SimulatedFan fan = new SimulatedFan(id, true);
            open.add(fan);
            devices.add(fan.dev);
            watches.add(fan.watch);
            streams.add(fan.stream);
        }
        MovingAverageEngine.bundle("ma-1", MovingAverageEngine.manifest(40, 40, 8, threshold), 1000)
                .write(Files.createDirectories(tmp.resolve("bundles")).resolve("ma-1.gsb"));
        browser = chromium(tmp.resolve("profile"));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Console console(String db) {
        Console c = Console.builder().port(0).database(db).bundles(tmp.resolve("bundles"))
                .recordings(tmp.resolve("recordings")).start();
        for (int i = 0; i < watches.size(); i++) {
            c.follow(watches.get(i), streams.get(i));
        }
        return c;
    }

    private void screenshot(String name) throws Exception {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private WebDriverWait waiting(long seconds) {
        // the pages re-render rows on every push: an element found a moment ago may be gone
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(20))
                .ignoring(StaleElementReferenceException.class);
    }

    private String cardState(String id) {
        List<WebElement> cards = browser.findElements(By.cssSelector(".device[data-id='" + id + "']"));
        return cards.isEmpty() ? "" : cards.get(0).getAttribute("data-state");
    }

    @Test
    void aFaultTurnsItsDeviceRedAndItsAcknowledgementSurvivesARestart() throws Exception {
        String db = "jdbc:h2:file:" + tmp.resolve("console").toAbsolutePath();
        AtomicLong eventAt = new AtomicLong();
        watches.get(1).listen(new DeviceWatch.Listener() {
            @Override
            public void onEvent(DeviceWatch.State s, AnomalyEvent e) {
                if (e.state() == AnomalyEvent.State.STARTED) {
                    eventAt.compareAndSet(0, System.nanoTime());
                }
            }
        });
        try (Console console = console(db)) {
            browser.get(console.url());
            waiting(20).until(d -> d.findElements(By.cssSelector(".device")).size() == 3);
            waiting(20).until(d -> "healthy".equals(cardState("pump-2")) && "healthy".equals(cardState("fan-3")));
            assertEquals(List.of("fan-3", "press-1", "pump-2"), browser.findElements(By.cssSelector(".device"))
                    .stream().map(e -> e.getAttribute("data-id")).toList(), "sorted by id");
            screenshot("fleet");

            devices.get(1).injectFault(new Fault.Imbalance(2.0));
            waiting(30).until(d -> "anomaly".equals(cardState("pump-2")));
            long red = System.nanoTime();
            assertTrue(eventAt.get() > 0, "the device raised its event");
            double lagSeconds = (red - eventAt.get()) / 1e9;
            assertTrue(lagSeconds < 2.0, "the card turned red " + lagSeconds + " s after the device's event");
            assertEquals("healthy", cardState("fan-3"));
            assertEquals("healthy", cardState("press-1"));
            screenshot("fleet-anomaly");

            browser.get(console.url() + "device?id=pump-2");
            waiting(20).until(d -> d.findElements(By.cssSelector("#alarms tbody tr")).size() == 1);
            // the live signal: 100 points per axis and second, the last 5 s at once
            waiting(20).until(d -> ((Number) ((JavascriptExecutor) d).executeScript(
                    "return Chart.getChart('signal').data.datasets[2].data.length")).intValue() >= 400);
            assertTrue(browser.findElement(By.id("facts")).getText().contains("share of the score"));
            Thread.sleep(1500); // a second and a half of live scores on the chart
            screenshot("device");

            browser.get(console.url() + "alarms");
            waiting(20).until(d -> d.findElements(By.cssSelector("tr[data-alarm] button[data-action=acknowledge]"))
                    .size() == 1);
            WebElement row = browser.findElement(By.cssSelector("tr[data-alarm]"));
            row.findElement(By.cssSelector("input.note")).sendKeys("bearing checked, vibration is real");
            row.findElement(By.cssSelector("button[data-action=acknowledge]")).click();
            waiting(20).until(d -> d.findElement(By.cssSelector("tr[data-alarm] td.status")).getText()
                    .equals("acknowledged"));
            screenshot("alarms");
            devices.get(1).clearFaults();

            browser.get(console.url() + "models");
            waiting(20).until(d -> d.findElements(By.cssSelector("tr[data-bundle='ma-1.gsb']")).size() == 1
                    && d.findElement(By.cssSelector("tr[data-bundle='ma-1.gsb']")).getText()
                    .contains("fan-3, press-1, pump-2"));
            screenshot("models");
        }

        // the server restarts on the same database: the acknowledgement is still there, with who and the note
        try (Console again = console(db)) {
            browser.get(again.url() + "alarms");
            waiting(20).until(d -> !d.findElements(By.cssSelector("tr[data-alarm] td.status")).isEmpty());
            // one read of the whole table (rows are re-rendered on every push)
            @SuppressWarnings("unchecked")
            List<String> rows = (List<String>) ((JavascriptExecutor) browser).executeScript(
                    "return [...document.querySelectorAll('tr[data-alarm]')].map(r => "
                            + "r.querySelector('td.status').textContent + '|' + r.textContent)");
            assertEquals(1, rows.size(), rows.toString());
            assertTrue(rows.get(0).startsWith("acknowledged|"), rows.toString());
            assertTrue(rows.get(0).contains("bearing checked, vibration is real (local)"), rows.toString());
            Alarm a = again.alarms(AlarmStatus.ACKNOWLEDGED, "pump-2", 10).get(0);
            assertEquals("local", a.updatedBy());
        }
    }

    @Test
    void beyondLoopbackTheBrowserGetsNothingWithoutSigningIn() throws Exception {
        Console.Builder b = Console.builder().bind("0.0.0.0").port(0).database("jdbc:h2:file:" + tmp.resolve("open"));
        b.saveUser("olga", Role.OPERATOR, "correct horse".toCharArray());
        try (Console c = b.start()) {
            browser.get(c.url() + "healthz"); // the one page without a user: the origin for the requests below
            @SuppressWarnings("unchecked")
            List<Object> status = (List<Object>) ((JavascriptExecutor) browser).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "document.cookie = 'gs_csrf=t; path=/';"
                            + "Promise.all([fetch('/'), fetch('/api/devices'),"
                            + "  fetch('/api/alarms/1/acknowledge', {method: 'POST', headers: {'X-GS-CSRF': 't'},"
                            + "    body: '{}'})]).then(rs => done(rs.map(r => r.status)), e => done([String(e)]));");
            assertEquals(List.of(401L, 401L, 401L), status, "page, API and a state-changing request");
        }
    }
}
