package io.gyrosentinel.cli;

import io.gyrosentinel.recording.CsvExport;
import io.gyrosentinel.recording.Recording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a recording as CSV.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Recording file")
    Path data;

    @Option(names = "--csv", required = true, description = "CSV file to write")
    Path csv;

    @Override
    public Integer call() {
        long rows = CsvExport.write(Recording.read(data), csv);
        spec.commandLine().getOut().printf("wrote %d rows to %s%n", rows, csv);
        return 0;
    }
}
