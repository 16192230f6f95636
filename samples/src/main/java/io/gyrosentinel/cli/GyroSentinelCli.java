package io.gyrosentinel.cli;

import io.gyrosentinel.GyroSentinelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code gyrosentinel} command line. */
@Command(name = "gyrosentinel", mixinStandardHelpOptions = true, versionProvider = GyroSentinelCli.Version.class,
        description = "Anomaly detection on machine vibration: collect gyroscope data from ESP32 devices, "
                + "train, package, deploy and monitor.",
        subcommands = {DemoCommand.class, RecordCommand.class, ImportCommand.class, ExportCommand.class, TrainCommand.class,
                BenchCommand.class, EvaluateCommand.class, ScoreCommand.class, PackageCommand.class, DeployCommand.class,
                KeygenCommand.class,
                InfoCommand.class, MonitorCommand.class, DevicesCommand.class, BridgeCommand.class, ServeCommand.class, CommandLine.HelpCommand.class})
public final class GyroSentinelCli {
    /** Exit code for a failure the user can fix (bad input, device error). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for a usage error (picocli's default). */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. Used by tests and the launcher. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new GyroSentinelCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            Throwable t = ex;
            if (t instanceof GyroSentinelException g) {
                err.println("error: " + describe(g));
            } else if (t instanceof IllegalArgumentException) {
                err.println("error: " + t.getMessage());
            } else {
                err.println("error: " + t);
                if (System.getenv("GYROSENTINEL_DEBUG") != null) {
                    t.printStackTrace(err);
                } else {
                    err.println("(set GYROSENTINEL_DEBUG=1 for the stack trace)");
                }
            }
            err.flush();
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    /** The message users see: what happened, and the field when one is named (no code prefix). */
    static String describe(GyroSentinelException g) {
        return g.detail() + (g.field() == null || g.field().isEmpty() ? "" : " (field: " + g.field() + ")");
    }


    /** Version from the jar manifest. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GyroSentinelCli.class.getPackage().getImplementationVersion();
            return new String[] {"gyrosentinel " + (v == null ? "0.1.0-SNAPSHOT" : v), "protocol v1",
                    "Java " + System.getProperty("java.version")};
        }
    }
}
