package io.gyrosentinel.recording;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports a CSV file into a recording: any number of channels picked by header name or
 * 0-based index, row filters, a time column (Unix seconds or ISO-8601) or a fixed rate, and
 * session or per-row labels. Values are stored as int16 with a per-channel scale chosen from
 * the data's range (relative quantisation error below 2e-5 of the largest magnitude).
 *
 * <pre>{@code
 * CsvImport.Report r = CsvImport.builder()
 *     .columns(List.of("ax", "ay", "az")).timeColumn("t", CsvImport.TimeFormat.UNIX_SECONDS)
 *     .label(SessionLabel.NORMAL).build()
 *     .run(Path.of("fan.csv"), Path.of("fan.gsr"));
 * }</pre>
 *
 * Malformed rows fail with the file, line and column, unless {@code skipBadRows} is set, in
 * which case they are counted in the report.
 */
public final class CsvImport {
    /** How the time column is written. */
    public enum TimeFormat { UNIX_SECONDS, ISO }

    /** What an import did. */
    public record Report(Path output, long rows, long imported, long skipped, List<String> skippedExamples,
                         long filteredOut, int channels, List<String> channelNames, double sampleRateHz, long gaps,
                         long missingSamples) {
    }

    private final char delimiter;
    private final boolean header;
    private final List<String> columns;
    private final Map<String, String> filters;
    private final String timeColumn;
    private final TimeFormat timeFormat;
    private final double rateHz;
    private final String labelColumn;
    private final SessionLabel label;
    private final boolean skipBadRows;
    private final String machineId;
    private final String unit;
    private final Map<String, String> tags;

    private CsvImport(Builder b) {
        this.delimiter = b.delimiter;
        this.header = b.header;
        this.columns = List.copyOf(b.columns);
        this.filters = Map.copyOf(b.filters);
        this.timeColumn = b.timeColumn;
        this.timeFormat = b.timeFormat;
        this.rateHz = b.rateHz;
        this.labelColumn = b.labelColumn;
        this.label = b.label;
        this.skipBadRows = b.skipBadRows;
        this.machineId = b.machineId;
        this.unit = b.unit;
        this.tags = Map.copyOf(b.tags);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads {@code csv} and writes the recording {@code out} atomically. */
    public Report run(Path csv, Path out) {
        CSVFormat fmt = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreSurroundingSpaces(true)
                .setIgnoreEmptyLines(true).setCommentMarker('#').build();
        List<String> headerNames = null;
        int[] colIdx;
        int timeIdx = -1;
        int labelIdx = -1;
        int[] filterIdx;
        String[] filterVal;
        FloatList values = new FloatList();
        DoubleList times = new DoubleList();
        List<SessionLabel> rowLabels = new ArrayList<>();
        long rows = 0;
        long skipped = 0;
        long filteredOut = 0;
        List<String> skippedExamples = new ArrayList<>();
        int ch;
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             CSVParser p = CSVParser.parse(r, fmt)) {
            var it = new java.util.Iterator<CSVRecord>() {
                // commons-csv reports malformed input (e.g. an unterminated quote) from hasNext()
                // too: turn it into our error with the file and line
                final java.util.Iterator<CSVRecord> in = p.iterator();

                public boolean hasNext() {
                    try {
                        return in.hasNext();
                    } catch (IllegalStateException | java.io.UncheckedIOException e) {
                        throw new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + csv + " line "
                                + p.getCurrentLineNumber() + ": " + e.getMessage(), e);
                    }
                }

                public CSVRecord next() {
                    return in.next();
                }
            };
            if (header) {
                if (!it.hasNext()) {
                    throw bad(csv, 1, null, "the file is empty (expected a header line)");
                }
                CSVRecord h = it.next();
                headerNames = new ArrayList<>();
                for (String s : h) {
                    headerNames.add(s.trim());
                }
                if (!headerNames.isEmpty() && headerNames.get(0).startsWith("\uFEFF")) {
                    headerNames.set(0, headerNames.get(0).substring(1).trim()); // UTF-8 byte-order mark
                }
            }
            List<String> cols = columns;
            if (cols.isEmpty()) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no value columns given for " + csv
                        + (headerNames != null ? "; the header has " + headerNames : ""));
            }
            ch = cols.size();
            colIdx = new int[ch];
            for (int i = 0; i < ch; i++) {
                colIdx[i] = resolve(csv, headerNames, cols.get(i), "value column");
            }
            if (timeColumn != null) {
                timeIdx = resolve(csv, headerNames, timeColumn, "time column");
            }
            if (labelColumn != null) {
                labelIdx = resolve(csv, headerNames, labelColumn, "label column");
            }
            filterIdx = new int[filters.size()];
            filterVal = new String[filters.size()];
            int fi = 0;
            for (var e : filters.entrySet()) {
                filterIdx[fi] = resolve(csv, headerNames, e.getKey(), "filter column");
                filterVal[fi++] = e.getValue();
            }
            float[] row = new float[ch];
            while (it.hasNext()) {
                CSVRecord rec;
                try {
                    rec = it.next();
                } catch (IllegalStateException | java.io.UncheckedIOException e) {
                    throw new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + csv + " line " + (p.getCurrentLineNumber())
                            + ": " + e.getMessage(), e);
                }
                rows++;
                long line = rec.getParser().getCurrentLineNumber();
                boolean keep = true;
                for (int i = 0; i < filterIdx.length && keep; i++) {
                    keep = filterIdx[i] < rec.size() && rec.get(filterIdx[i]).equals(filterVal[i]);
                }
                if (!keep) {
                    filteredOut++;
                    continue;
                }
                String problem = null;
                String problemCol = null;
                double t = Double.NaN;
                SessionLabel rl = null;
                for (int c = 0; c < ch && problem == null; c++) {
                    String name = cols.get(c);
                    if (colIdx[c] >= rec.size()) {
                        problem = "the row has " + rec.size() + " fields, column '" + name + "' is field " + colIdx[c];
                        problemCol = name;
                        break;
                    }
                    String v = rec.get(colIdx[c]);
                    if (colIdx[c] == 0 && rec.getRecordNumber() == 1 && v.startsWith("\uFEFF")) {
                        v = v.substring(1).trim(); // UTF-8 byte-order mark of a file without a header
                    }
                    try {
                        float f = Float.parseFloat(v);
                        if (!Float.isFinite(f)) {
                            problem = "'" + v + "' is not a finite number";
                            problemCol = name;
                        }
                        row[c] = f;
                    } catch (NumberFormatException e) {
                        problem = "'" + v + "' is not a number";
                        problemCol = name;
                    }
                }
                if (problem == null && timeIdx >= 0) {
                    if (timeIdx >= rec.size()) {
                        problem = "the row has no time field";
                        problemCol = timeColumn;
                    } else {
                        try {
                            t = parseTime(rec.get(timeIdx));
                        } catch (IllegalArgumentException e) {
                            problem = e.getMessage();
                            problemCol = timeColumn;
                        }
                    }
                }
                if (problem == null && labelIdx >= 0) {
                    if (labelIdx >= rec.size()) {
                        problem = "the row has no label field";
                        problemCol = labelColumn;
                    } else {
                        String lv = rec.get(labelIdx);
                        rl = SessionLabel.lookup(lv);
                        if (rl == null) {
                            problem = SessionLabel.unknown(lv);
                            problemCol = labelColumn;
                        }
                    }
                }
                if (problem != null) {
                    if (!skipBadRows) {
                        throw bad(csv, line, problemCol, problem + " (use skip-bad-rows to skip such rows)");
                    }
                    skipped++;
                    if (skippedExamples.size() < 5) {
                        skippedExamples.add("line " + line + ", column '" + problemCol + "': " + problem);
                    }
                    continue;
                }
                if (timeIdx >= 0 && times.size > 0 && t <= times.get(times.size - 1)) {
                    String msg = "time " + rec.get(timeIdx) + " does not increase (previous row is later or equal)";
                    if (!skipBadRows) {
                        throw bad(csv, line, timeColumn, msg);
                    }
                    skipped++;
                    if (skippedExamples.size() < 5) {
                        skippedExamples.add("line " + line + ": " + msg);
                    }
                    continue;
                }
                values.addAll(row);
                if (timeIdx >= 0) {
                    times.add(t);
                }
                if (labelIdx >= 0) {
                    rowLabels.add(rl);
                }
            }
        } catch (NoSuchFileException e) {
            throw new GyroSentinelException(ErrorCode.IO, "CSV file " + csv + " does not exist", e);
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot read CSV " + csv + ": " + e.getMessage(), e);
        }
        int n = values.size / ch;
        if (n == 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + csv + " has no usable rows (" + rows
                    + " rows, " + filteredOut + " filtered out, " + skipped + " skipped)");
        }
        double rate = rateHz;
        if (rate <= 0) {
            if (times.size < 2) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "cannot tell the sample rate of " + csv
                        + ": give a rate (--rate HZ) or a time column with at least two rows");
            }
            double[] dt = new double[times.size - 1];
            for (int i = 0; i < dt.length; i++) {
                dt[i] = times.get(i + 1) - times.get(i);
            }
            Arrays.sort(dt);
            rate = 1.0 / dt[dt.length / 2];
        }
        long periodNs = Math.round(1e9 / rate);
        // Per-channel scale from the data range, so int16 keeps the precision.
        float[] scale = new float[ch];
        for (int c = 0; c < ch; c++) {
            float max = 0;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(values.data[i * ch + c]));
            }
            scale[c] = max == 0 ? 1f : max / 32767f;
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            String col = columns.get(c);
            names.add(headerNames != null && col.matches("\\d+") ? headerNames.get(colIdx[c]) : col);
        }
        SessionInfo info = new SessionInfo(label, machineId, tags, "", names, scale, unit, rate, "csv:" + csv.getFileName());
        long gaps = 0;
        long missingTotal = 0;
        try (RecordingWriter w = RecordingWriter.create(out, info, null, null)) {
            short[] raw = new short[100 * ch];
            int i = 0;
            long seq = 0;
            long sampleIndex = 0;
            RunWriter runs = new RunWriter(w);
            double t0 = times.size > 0 ? times.get(0) : 0;
            while (i < n) {
                int count = 0;
                long ts = times.size > 0 ? Math.round((times.get(i) - t0) * 1e6) : Math.round(i * 1e6 / rate);
                while (count < 100 && i + count < n) {
                    if (count > 0 && times.size > 0) {
                        double gap = times.get(i + count) - times.get(i + count - 1);
                        if (gap > 1.5 / rate) {
                            break;
                        }
                    }
                    for (int c = 0; c < ch; c++) {
                        raw[count * ch + c] = (short) Math.max(-32767, Math.min(32767,
                                Math.round(values.data[(i + count) * ch + c] / scale[c])));
                    }
                    count++;
                }
                w.append(raw, count, seq++, ts, periodNs);
                if (!rowLabels.isEmpty()) {
                    runs.add(rowLabels, i, count, sampleIndex);
                }
                sampleIndex += count;
                i += count;
                if (i < n && times.size > 0) {
                    double gap = times.get(i) - times.get(i - 1);
                    if (gap > 1.5 / rate) {
                        long missing = Math.max(1, Math.round(gap * rate) - 1);
                        runs.flush(w);
                        w.writeGap(sampleIndex, missing, 0, "time");
                        sampleIndex += missing;
                        gaps++;
                        missingTotal += missing;
                    }
                }
            }
            runs.flush(w);
        }
        return new Report(out, rows, n, skipped, skippedExamples, filteredOut, ch, names, rate, gaps, missingTotal);
    }

    /** Merges consecutive samples with the same label into one run, across batches. */
    private static final class RunWriter {
        private final RecordingWriter w;
        private SessionLabel label;
        private long first;
        private long count;

        RunWriter(RecordingWriter w) {
            this.w = w;
        }

        void add(List<SessionLabel> labels, int from, int n, long firstSample) {
            for (int k = 0; k < n; k++) {
                SessionLabel l = labels.get(from + k);
                long idx = firstSample + k;
                if (l == label && idx == first + count) {
                    count++;
                } else {
                    flush(w);
                    label = l;
                    first = idx;
                    count = 1;
                }
            }
        }

        void flush(RecordingWriter ignored) {
            if (label != null && count > 0) {
                w.writeLabelRun(first, count, label);
            }
            label = null;
            count = 0;
        }
    }

    /** Throws IllegalArgumentException with the problem; caught above and reported as a BAD_INPUT row error. */
    private double parseTime(String v) {
        String s = v.trim();
        if (timeFormat == TimeFormat.UNIX_SECONDS) {
            try {
                double d = Double.parseDouble(s);
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("time '" + v + "' is not finite");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("time '" + v + "' is not a number of seconds");
            }
        }
        String iso = s.replace(' ', 'T');
        try {
            Instant i;
            if (iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                i = OffsetDateTime.parse(iso).toInstant();
            } else {
                i = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
            }
            return i.getEpochSecond() + i.getNano() / 1e9;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time '" + v + "' is not an ISO-8601 date-time (e.g. 2026-11-25T10:15:30.125)");
        }
    }

    private static int resolve(Path csv, List<String> header, String col, String what) {
        if (col.matches("\\d+")) {
            int idx = Integer.parseInt(col);
            if (header != null && idx >= header.size()) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, what + " index " + idx + " is out of range: "
                        + csv + " has " + header.size() + " columns " + header);
            }
            return idx;
        }
        if (header == null) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, what + " '" + col + "' is a name but " + csv
                    + " is read without a header; use a 0-based index");
        }
        int idx = header.indexOf(col);
        if (idx < 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, what + " '" + col + "' not found in the header of "
                    + csv + "; columns: " + header);
        }
        return idx;
    }

    private static GyroSentinelException bad(Path csv, long line, String col, String msg) {
        return new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + csv + " line " + line
                + (col != null ? ", column '" + col + "'" : "") + ": " + msg);
    }

    /** Builds a {@link CsvImport}. */
    public static final class Builder {
        private char delimiter = ',';
        private boolean header = true;
        private List<String> columns = List.of();
        private final Map<String, String> filters = new LinkedHashMap<>();
        private String timeColumn;
        private TimeFormat timeFormat = TimeFormat.UNIX_SECONDS;
        private double rateHz;
        private String labelColumn;
        private SessionLabel label = SessionLabel.UNLABELLED;
        private boolean skipBadRows;
        private String machineId = "";
        private String unit = "";
        private final Map<String, String> tags = new LinkedHashMap<>();

        public Builder delimiter(char d) { this.delimiter = d; return this; }
        public Builder header(boolean h) { this.header = h; return this; }
        /** Value columns by header name or 0-based index. */
        public Builder columns(List<String> c) { this.columns = List.copyOf(c); return this; }
        /** Keeps only rows whose column equals the value. Repeatable. */
        public Builder filter(String column, String value) { this.filters.put(column, value); return this; }
        public Builder timeColumn(String c, TimeFormat f) { this.timeColumn = c; this.timeFormat = f; return this; }
        /** Sample rate; when absent it is the median rate of the time column. */
        public Builder rateHz(double r) { this.rateHz = r; return this; }
        public Builder labelColumn(String c) { this.labelColumn = c; return this; }
        public Builder label(SessionLabel l) { this.label = l; return this; }
        public Builder skipBadRows(boolean s) { this.skipBadRows = s; return this; }
        public Builder machineId(String m) { this.machineId = m; return this; }
        public Builder unit(String u) { this.unit = u; return this; }
        public Builder tag(String k, String v) { this.tags.put(k, v); return this; }

        public CsvImport build() {
            if (rateHz < 0 || Double.isNaN(rateHz) || Double.isInfinite(rateHz)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "rate must be a positive number of Hz, got " + rateHz);
            }
            if (columns.isEmpty()) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "give at least one value column");
            }
            return new CsvImport(this);
        }
    }

    private static final class FloatList {
        float[] data = new float[1024];
        int size;

        void addAll(float[] v) {
            if (size + v.length > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + v.length));
            }
            System.arraycopy(v, 0, data, size, v.length);
            size += v.length;
        }
    }

    private static final class DoubleList {
        double[] data = new double[1024];
        int size;

        void add(double v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        double get(int i) {
            return data[i];
        }
    }
}
