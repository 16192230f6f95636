package io.gyrosentinel.cli;

import io.gyrosentinel.console.Console;
import io.gyrosentinel.console.Role;
import io.gyrosentinel.transport.mqtt.MqttFleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The live fleet console: a web page and JSON API over the followed devices, alarms in a database. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the live fleet console (web page + JSON API) for devices, or a simulated fleet.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}); "
            + "any but loopback needs users (--add-user)")
    String bind = "127.0.0.1";

    @Option(names = "--port", description = "TCP port (default: ${DEFAULT-VALUE}; 0: any free port)")
    int port = 8080;

    @Mixin
    DeviceOptions devices;

    @Option(names = "--mqtt", paramLabel = "BROKER-URI",
            description = "Also show every device of this MQTT fleet (mqtt://host:1883, mqtts://...): its results, "
                    + "events and status")
    String mqtt;

    @Option(names = "--shared-group", paramLabel = "NAME",
            description = "With --mqtt: share the fleet's results and events with other serve instances of this "
                    + "group (one PostgreSQL for all); each shows every device")
    String sharedGroup;

    @Option(names = "--db", paramLabel = "JDBC-URL", description = "Database (default: H2 in ~/.gyrosentinel/console; "
            + "PostgreSQL: jdbc:postgresql://HOST/DB)")
    String db;

    @Option(names = "--db-user", description = "Database user")
    String dbUser;

    @Option(names = "--recordings", paramLabel = "DIR", description = "Where each alarm's episode is saved as a "
            + "recording (default: recordings/ beside the H2 database, else ~/.gyrosentinel/recordings)")
    java.nio.file.Path recordings;

    @Option(names = "--bundles", paramLabel = "DIR", description = "Signed model bundles (.gsb) admins may deploy "
            + "from the console (its models page lists them)")
    java.nio.file.Path bundles;

    @Option(names = "--add-user", paramLabel = "NAME",
            description = "Add (or replace) a console user and exit; the password is read from the first line of "
                    + "standard input")
    String addUser;

    @Option(names = "--role", description = "Role of --add-user: viewer, operator or admin (default: ${DEFAULT-VALUE})")
    String role = "viewer";

    @Option(names = "--duration", converter = Durations.class, description = "Stop after this long (default: until Ctrl-C)")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        // the database password never goes on the command line, where `ps` shows it
        String dbPassword = System.getenv("GYROSENTINEL_DB_PASSWORD");
        Console.Builder b = Console.builder().bind(bind).port(port);
        if (db != null) {
            b.database(db, dbUser, dbPassword);
        }
        if (recordings != null) {
            b.recordings(recordings);
        }
        if (bundles != null) {
            b.bundles(bundles);
        }
        if (addUser != null) {
            Role r;
            try {
                r = Role.valueOf(role.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--role: viewer, operator or admin, not '" + role + "'");
            }
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null) {
                throw new ParameterException(spec.commandLine(), "--add-user: give the password on standard input");
            }
            b.saveUser(addUser, r, password.toCharArray());
            pw.printf("user %s (%s) saved%n", Terminal.safe(addUser), r.name().toLowerCase(Locale.ROOT));
            return 0;
        }
        if (sharedGroup != null && mqtt == null) {
            throw new ParameterException(spec.commandLine(), "--shared-group needs --mqtt BROKER-URI");
        }
        try (LiveDevices live = mqtt != null && devices.none() ? LiveDevices.none() : devices.open(pw)) {
            Console console = live.keep(b.start());
            for (LiveDevices.Live d : live.devices()) {
                live.keep(console.follow(d.watch(), d.stream()));
            }
            if (mqtt != null) {
                MqttFleet.Builder fb = MqttFleet.builder().broker(mqtt);
                if (sharedGroup != null) {
                    fb.sharedGroup(sharedGroup);
                }
                MqttFleet fleet = live.keep(fb.build());
                live.keep(console.follow(fleet));
                pw.printf("following the MQTT fleet of %s%s%n", Terminal.safe(mqtt),
                        sharedGroup == null ? "" : " (shared group " + Terminal.safe(sharedGroup) + ")");
            }
            pw.printf("console of %d device(s) at %s%n", live.devices().size(), console.url());
            pw.flush();
            Thread.sleep(duration == null ? Long.MAX_VALUE : duration.toMillis());
        }
        return 0;
    }
}
