package io.gyrosentinel.cli;

import io.gyrosentinel.console.FeedbackExport;
import io.gyrosentinel.recording.CsvExport;
import io.gyrosentinel.recording.Recording;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a recording as CSV, or the console's judged alarms as labelled recordings.",
            "  export --data rec.gsr --csv rec.csv",
            "  export --alarms --out labelled/ [--db JDBC-URL]   (then: evaluate --model M --data labelled/*.gsr)"})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @ArgGroup(exclusive = false)
        Csv csv;

        @ArgGroup(exclusive = false)
        Alarms alarms;
    }

    static final class Csv {
        @Option(names = "--data", required = true, description = "Recording file")
        Path data;

        @Option(names = "--csv", required = true, description = "CSV file to write")
        Path csv;
    }

    static final class Alarms {
        @Option(names = "--alarms", required = true,
                description = "Write every confirmed or dismissed alarm the console saved an episode of as a "
                        + "labelled recording (confirmed: anomalous from the episode's start; dismissed: normal)")
        boolean alarms;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write into")
        Path out;

        @Option(names = "--db", paramLabel = "JDBC-URL",
                description = "The console's database (default: H2 in ~/.gyrosentinel/console)")
        String db;

        @Option(names = "--db-user", description = "Database user (password in GYROSENTINEL_DB_PASSWORD)")
        String dbUser;
    }

    @Override
    public Integer call() {
        if (what.csv != null) {
            long rows = CsvExport.write(Recording.read(what.csv.data), what.csv.csv);
            spec.commandLine().getOut().printf("wrote %d rows to %s%n", rows, what.csv.csv);
            return 0;
        }
        Alarms a = what.alarms;
        String db = a.db != null ? a.db : "jdbc:h2:file:" + Path.of(System.getProperty("user.home"), ".gyrosentinel",
                "console").toAbsolutePath();
        FeedbackExport.Result r = FeedbackExport.export(db, a.dbUser, System.getenv("GYROSENTINEL_DB_PASSWORD"), a.out);
        spec.commandLine().getOut().printf("wrote %d labelled recordings to %s: %d confirmed alarms (anomalous from "
                + "the episode's start), %d dismissed (normal); %d judged alarms had no saved episode, %d episode files "
                + "were missing%n", r.written().size(), a.out, r.confirmed(), r.dismissed(), r.withoutClip(),
                r.missingClip());
        return 0;
    }
}
