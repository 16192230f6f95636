package io.gyrosentinel.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A long-running CLI command (bridge, serve) started in the background, and what it prints. */
final class CliRun {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final CompletableFuture<Integer> exit;

    CliRun(String... args) {
        exit = CompletableFuture.supplyAsync(() -> GyroSentinelCli.run(args, new PrintWriter(out, true),
                new PrintWriter(err, true)));
    }

    /** Waits (up to 60 s) until the output matches, and returns the match. */
    Matcher await(String regex) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long until = System.nanoTime() + 60_000_000_000L;
        Matcher m;
        while (!(m = p.matcher(out.toString())).find() && System.nanoTime() < until && !exit.isDone()) {
            Thread.sleep(50);
        }
        assertTrue(m.find(0), "no '" + regex + "' in:\n" + out + "\n" + err);
        return m;
    }
}
