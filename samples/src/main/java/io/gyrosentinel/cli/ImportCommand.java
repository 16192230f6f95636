package io.gyrosentinel.cli;

import io.gyrosentinel.recording.CsvImport;
import io.gyrosentinel.recording.SessionLabel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a CSV file into a recording (.gsr). Columns by header name or 0-based index.")
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--csv", required = true, description = "CSV file to read")
    Path csv;

    @Option(names = "--delimiter", defaultValue = ",", description = "Field delimiter (default: ${DEFAULT-VALUE}); \\t for tab")
    String delimiter;

    @Option(names = "--no-header", description = "The file has no header line (columns are then 0-based indexes)")
    boolean noHeader;

    @Option(names = "--columns", split = ",", description = "Value columns, e.g. ax,ay,az or 1,2,3 (any number of channels)")
    List<String> columns = new ArrayList<>();

    @Option(names = "--filter", description = "Keep rows where COL=VALUE (repeatable)")
    List<String> filters = new ArrayList<>();

    @Option(names = "--time-column", description = "Column with the sample time")
    String timeColumn;

    @Option(names = "--time-format", defaultValue = "unix-seconds",
            description = "unix-seconds or iso (ISO-8601 with T or a space) (default: ${DEFAULT-VALUE})")
    String timeFormat;

    @Option(names = "--rate", description = "Sample rate in Hz (else derived from the time column)")
    Double rate;

    @Option(names = "--label-column", description = "Column with a per-row label (normal/anomalous or 0/1)")
    String labelColumn;

    @Option(names = "--label", defaultValue = "unlabelled", description = "Session label: normal, anomalous, unlabelled")
    String label;

    @Option(names = "--machine", defaultValue = "", description = "Machine id")
    String machine;

    @Option(names = "--unit", defaultValue = "", description = "Physical unit of the values, e.g. dps or g")
    String unit;

    @Option(names = {"--skip-bad", "--skip-bad-rows"}, description = "Skip malformed rows (counted) instead of failing")
    boolean skipBad;

    @Option(names = "--out", required = true, description = "Output recording file")
    Path out;

    @Override
    public Integer call() {
        if (columns.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give the value columns with --columns, e.g. --columns ax,ay,az");
        }
        String d = delimiter.equals("\\t") ? "\t" : delimiter;
        if (d.length() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--delimiter must be one character, got '" + delimiter + "'");
        }
        CsvImport.Builder b = CsvImport.builder().delimiter(d.charAt(0)).header(!noHeader).columns(columns)
                .label(SessionLabel.parse(label)).skipBadRows(skipBad).machineId(machine).unit(unit);
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--filter must be COL=VALUE, got '" + f + "'");
            }
            b.filter(f.substring(0, eq), f.substring(eq + 1));
        }
        if (timeColumn != null) {
            CsvImport.TimeFormat tf = switch (timeFormat) {
                case "unix-seconds" -> CsvImport.TimeFormat.UNIX_SECONDS;
                case "iso" -> CsvImport.TimeFormat.ISO;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--time-format must be unix-seconds or iso, got '" + timeFormat + "'");
            };
            b.timeColumn(timeColumn, tf);
        }
        if (rate != null) {
            b.rateHz(rate);
        }
        if (labelColumn != null) {
            b.labelColumn(labelColumn);
        }
        CsvImport.Report r = b.build().run(csv, out);
        var pw = spec.commandLine().getOut();
        pw.printf("imported %d of %d rows from %s into %s%n", r.imported(), r.rows(), csv, out);
        pw.printf("channels: %d %s, rate %.3f Hz%n", r.channels(), r.channelNames(), r.sampleRateHz());
        if (r.filteredOut() > 0) {
            pw.printf("filtered out: %d rows%n", r.filteredOut());
        }
        if (r.skipped() > 0) {
            pw.printf("skipped: %d malformed rows, e.g.%n", r.skipped());
            r.skippedExamples().forEach(e -> pw.println("  " + e));
        }
        pw.printf("gaps: %d (%d samples missing)%n", r.gaps(), r.missingSamples());
        return 0;
    }
}
