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

    @Option(names = "--csv", required = true, arity = "1..*", description = "CSV file(s) to read, or folders of them "
            + "(their .csv/.tsv/.txt/.dat files and files without an extension, sorted by name): each file is its own "
            + "segment, no window spans two")
    List<Path> csv;

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
            description = "unix-seconds, unix-ms, unix-us, or iso (ISO-8601 with T or a space, optional offset or Z; UTC "
                    + "when absent) (default: ${DEFAULT-VALUE})")
    String timeFormat;

    @Option(names = "--rate", description = "Sample rate in Hz (else from the time column: the mean interval without "
            + "the outages, which a jittery clock does not bias)")
    Double rate;

    @Option(names = "--label-column", description = "Column with a per-row label: normal/anomalous (anomaly, abnormal, "
            + "fault), 0/1 (0.0/1.0), true/false, yes/no, any case")
    String labelColumn;

    @Option(names = "--label", defaultValue = "unlabelled", description = "Session label: normal, anomalous, unlabelled")
    String label;

    @Option(names = "--machine", defaultValue = "", description = "Machine id")
    String machine;

    @Option(names = "--unit", defaultValue = "", description = "Physical unit of the values, e.g. dps or g")
    String unit;

    @Option(names = {"--skip-bad", "--skip-bad-rows"}, description = "Skip malformed rows (counted) instead of failing")
    boolean skipBad;

    @Option(names = "--max-gap", converter = Durations.class, description = "An interval between two timestamps longer "
            + "than this is an outage, e.g. 500ms (default: chosen from the data, so a jittery PC clock is not taken "
            + "for outages; the import prints what it chose)")
    java.time.Duration maxGap;

    @Option(names = "--resample", description = "Interpolate the samples linearly onto a uniform grid of HZ, segment by "
            + "segment (for loggers that do not sample evenly)")
    Double resample;

    @Option(names = "--scale", description = "Multiply every value by FACTOR, e.g. raw counts to physical units "
            + "(with --unit)")
    Double scale;

    @Option(names = "--out", required = true, description = "Output recording file")
    Path out;

    /**
     * A data file of a folder: *.csv, *.tsv, *.txt, *.dat, or no extension at all (some public data sets name their
     * captures by timestamp, e.g. 2003.10.22.12.06.24); not hidden, not a folder.
     */
    static boolean looksLikeData(Path f) {
        String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith(".") || !java.nio.file.Files.isRegularFile(f)) {
            return false;
        }
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 ? "" : n.substring(dot + 1);
        return ext.equals("csv") || ext.equals("tsv") || ext.equals("txt") || ext.equals("dat")
                || !ext.matches(".*[a-z].*"); // no extension, or a numeric "extension" of a timestamp name
    }

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
                case "unix-seconds", "unix-s", "seconds" -> CsvImport.TimeFormat.UNIX_SECONDS;
                case "unix-ms", "ms" -> CsvImport.TimeFormat.UNIX_MILLIS;
                case "unix-us", "us" -> CsvImport.TimeFormat.UNIX_MICROS;
                case "iso" -> CsvImport.TimeFormat.ISO;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--time-format must be unix-seconds, unix-ms, unix-us or iso, got '" + timeFormat + "'");
            };
            b.timeColumn(timeColumn, tf);
        }
        if (rate != null) {
            b.rateHz(rate);
        }
        if (labelColumn != null) {
            b.labelColumn(labelColumn);
        }
        if (maxGap != null) {
            b.maxGap(maxGap);
        }
        if (resample != null) {
            b.resampleHz(resample);
        }
        if (scale != null) {
            b.scale(scale);
        }
        List<Path> files = new ArrayList<>();
        for (Path p : csv) {
            if (java.nio.file.Files.isDirectory(p)) {
                try (var s = java.nio.file.Files.list(p)) {
                    s.filter(ImportCommand::looksLikeData).sorted().forEach(files::add);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("cannot list " + p + ": " + e.getMessage(), e);
                }
            } else {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no data file (.csv, .tsv, .txt, .dat or no "
                    + "extension) in " + csv);
        }
        CsvImport.Report r = b.build().run(files, out);
        var pw = spec.commandLine().getOut();
        pw.printf("imported %d samples from %d rows of %s into %s%n", r.imported(), r.rows(),
                files.size() == 1 ? files.get(0) : files.size() + " files (one segment each)", out);
        pw.printf("channels: %d %s, rate %.3f Hz%n", r.channels(), r.channelNames(), r.sampleRateHz());
        if (r.filteredOut() > 0) {
            pw.printf("filtered out: %d rows%n", r.filteredOut());
        }
        if (r.skipped() > 0) {
            pw.printf("skipped: %d malformed rows, e.g.%n", r.skipped());
            r.skippedExamples().forEach(e -> pw.println("  " + e));
        }
        if (r.timing() != null) {
            pw.printf("timing: %s%n", r.timing().summary());
        }
        pw.printf("gaps: %d (%d samples missing)%n", r.gaps(), r.missingSamples());
        return 0;
    }
}
