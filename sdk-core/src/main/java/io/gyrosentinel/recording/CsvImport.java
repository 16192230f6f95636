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
    public enum TimeFormat {
        /** Seconds (Unix time or any other origin), decimals allowed. */
        UNIX_SECONDS(1),
        /** Milliseconds (e.g. Unix time in ms, as many loggers write it). */
        UNIX_MILLIS(1e-3),
        /** Microseconds (e.g. a device clock in µs). */
        UNIX_MICROS(1e-6),
        /** ISO-8601 date-time, with T or a space, optional offset or Z (UTC when absent). */
        ISO(1);

        private final double seconds;

        TimeFormat(double seconds) {
            this.seconds = seconds;
        }
    }

    /**
     * What an import did.
     *
     * @param output          the recording written
     * @param rows            data rows read
     * @param imported        samples written (after resampling, when asked)
     * @param skipped         malformed rows skipped ({@code skipBadRows})
     * @param skippedExamples up to five of them, with line, column and problem
     * @param filteredOut     rows left out by the row filters
     * @param channels        channels per sample
     * @param channelNames    the channels' names (header names, also for columns given by index)
     * @param sampleRateHz    the recording's sample rate, Hz
     * @param gaps            outages: intervals longer than the gap threshold (clock steps backwards and file
     *                        boundaries end segments too, without missing samples: see {@link Timing})
     * @param missingSamples  samples estimated missing in those outages
     * @param timing          what the time column looked like and how it was read, or null without a time column
     */
    public record Report(Path output, long rows, long imported, long skipped, List<String> skippedExamples,
                         long filteredOut, int channels, List<String> channelNames, double sampleRateHz, long gaps,
                         long missingSamples, Timing timing) {
    }

    /**
     * The timing quality of an imported time column. Host-clocked loggers stamp each reading when the PC sees it,
     * not when the sensor took it: intervals jitter around the sensor's period and a late reading is followed by
     * early ones. The importer therefore takes the samples as evenly spaced at the nominal period (the median
     * interval, or the given rate) and counts an interval as an outage only when it is clearly longer than the
     * jitter explains: longer than {@code gapThresholdS}.
     *
     * @param nominalPeriodS  the period the samples are taken to have (1 / rate)
     * @param medianIntervalS median interval between consecutive timestamps
     * @param p99IntervalS    99th percentile of the intervals
     * @param maxIntervalS    longest interval
     * @param jitterS         robust spread of the intervals: 1.4826 × their median absolute deviation
     * @param gapThresholdS   an interval longer than this is an outage (automatic, or {@code --max-gap})
     * @param automaticThreshold whether {@code gapThresholdS} was chosen from the data
     * @param backwardSteps   times the clock stepped backwards (each ends a segment; never reordered)
     * @param segments        contiguous segments written
     * @param resampledHz     the uniform grid the samples were interpolated onto, or 0
     */
    public record Timing(double nominalPeriodS, double medianIntervalS, double p99IntervalS, double maxIntervalS,
                         double jitterS, double gapThresholdS, boolean automaticThreshold, long backwardSteps,
                         int segments, double resampledHz) {

        /**
         * {@return one line for people, e.g. for {@code import} and {@code info}: intervals, jitter, threshold,
         * segments}
         */
        public String summary() {
            return String.format(java.util.Locale.ROOT, "intervals median %s, p99 %s, max %s, jitter %s; gap "
                    + "threshold %s (%s); %d clock step(s) backwards; %d segment(s)%s", ms(medianIntervalS),
                    ms(p99IntervalS), ms(maxIntervalS), ms(jitterS), ms(gapThresholdS),
                    automaticThreshold ? "automatic" : "--max-gap", backwardSteps, segments,
                    resampledHz > 0 ? "; resampled to " + java.math.BigDecimal.valueOf(resampledHz)
                            .stripTrailingZeros().toPlainString() + " Hz (linear)" : "");
        }

        private static String ms(double s) {
            return s >= 1 ? String.format(java.util.Locale.ROOT, "%.3f s", s)
                    : String.format(java.util.Locale.ROOT, "%.3g ms", s * 1e3);
        }
    }

    /** Tag of the recording's session info that keeps {@link Timing#summary()} for {@code info}. */
    public static final String TIMING_TAG = "import.timing";

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
    private final java.time.Duration maxGap;
    private final double resampleHz;
    private final double scaleFactor;

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
        this.maxGap = b.maxGap;
        this.resampleHz = b.resampleHz;
        this.scaleFactor = b.scaleFactor;
    }

    /** {@return a builder: comma-separated, with a header line, session label unlabelled} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code csv} and writes the recording {@code out} atomically.
     *
     * @param csv the CSV file
     * @param out the recording to write, replaced if it exists
     * @return what the import did
     * @throws GyroSentinelException {@link ErrorCode#IO} when a file cannot be read or written, {@link
     *         ErrorCode#BAD_INPUT} for a malformed row (file, line and column in the message) unless skipped, an
     *         unknown column, or no way to tell the sample rate
     */
    public Report run(Path csv, Path out) {
        return run(List.of(csv), out);
    }

    /**
     * Reads several CSV files (e.g. a folder of short captures) into one recording, written atomically: each file is
     * its own segment (a boundary between files, no window spans two), in the order given. The files must have the
     * same columns.
     *
     * @param csvs the CSV files, at least one
     * @param out  the recording to write, replaced if it exists
     * @return what the import did
     * @throws GyroSentinelException {@link ErrorCode#IO} when a file cannot be read or written, {@link
     *         ErrorCode#BAD_INPUT} for no file, a malformed row unless skipped, an unknown column, or no way to tell
     *         the sample rate
     */
    public Report run(List<Path> csvs, Path out) {
        if (csvs.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "no CSV file given");
        }
        Path lastCsv = csvs.get(0);
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
        int ch = columns.size();
        colIdx = new int[ch];
        List<Integer> fileStarts = new ArrayList<>();
        for (Path csv : csvs) {
        lastCsv = csv;
        fileStarts.add(values.size / ch);
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
                if (scaleFactor != 1) {
                    for (int c = 0; c < ch; c++) {
                        row[c] *= (float) scaleFactor;
                    }
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
        }
        int n = values.size / ch;
        if (n == 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + (csvs.size() == 1 ? lastCsv : csvs.size()
                    + " files") + " has no usable rows (" + rows + " rows, " + filteredOut + " filtered out, " + skipped
                    + " skipped)");
        }
        if (times.size == 0 && rateHz <= 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "cannot tell the sample rate of " + lastCsv
                    + ": give a rate (--rate HZ) or a time column");
        }
        if (times.size > 0 && times.size < 2 && rateHz <= 0) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "cannot tell the sample rate of " + lastCsv
                    + ": the time column has a single usable row; give a rate (--rate HZ)");
        }
        if (timeFormat == TimeFormat.UNIX_SECONDS && times.size > 0 && Math.abs(times.get(0)) > 1e11) {
            // 1e11 s is the year 5138: a time this large is milliseconds or microseconds read as seconds
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "CSV " + lastCsv + ": the first time, "
                    + times.get(0) + ", is not a plausible number of seconds; it looks like Unix "
                    + (Math.abs(times.get(0)) > 1e14 ? "microseconds: use --time-format unix-us"
                    : "milliseconds: use --time-format unix-ms"));
        }
        int[] starts = fileStarts.stream().filter(i -> i > 0 && i < n).mapToInt(Integer::intValue).distinct()
                .toArray();
        Timeline tl = times.size > 0 ? Timeline.of(lastCsv, Arrays.copyOf(times.data, times.size), rateHz, maxGap, starts)
                : Timeline.fixed(n, rateHz, starts);
        List<Segment> segs = tl.segments(values.data, ch, rowLabels, resampleHz);
        double rate = resampleHz > 0 ? resampleHz : 1.0 / tl.period;
        long periodNs = Math.round(1e9 / rate);
        // Per-channel scale from the data range, so int16 keeps the precision.
        float[] scale = new float[ch];
        for (Segment sg : segs) {
            for (int i = 0; i < sg.count(); i++) {
                for (int c = 0; c < ch; c++) {
                    scale[c] = Math.max(scale[c], Math.abs(sg.values[i * ch + c]));
                }
            }
        }
        for (int c = 0; c < ch; c++) {
            scale[c] = scale[c] == 0 ? 1f : scale[c] / 32767f;
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            String col = columns.get(c);
            names.add(headerNames != null && col.matches("\\d+") ? headerNames.get(colIdx[c]) : col);
        }
        Timing timing = times.size > 0 ? tl.timing(segs.size(), resampleHz) : null;
        Map<String, String> allTags = new LinkedHashMap<>(tags);
        if (timing != null) {
            allTags.put(TIMING_TAG, timing.summary());
        }
        SessionInfo info = new SessionInfo(label, machineId, allTags, "", names, scale, unit, rate,
                "csv:" + lastCsv.getFileName() + (csvs.size() > 1 ? " and " + (csvs.size() - 1) + " more" : ""));
        long gaps = 0;
        long missingTotal = 0;
        long written = 0;
        try (RecordingWriter w = RecordingWriter.create(out, info, null, null)) {
            short[] raw = new short[100 * ch];
            long seq = 0;
            long sampleIndex = 0;
            RunWriter runs = new RunWriter(w);
            for (Segment sg : segs) {
                if (sg != segs.get(0)) {
                    runs.flush(w);
                    w.writeGap(sampleIndex, sg.missingBefore, 0, sg.fileStart ? "file" : sg.missingBefore == 0
                            ? "clock-step" : "time");
                    sampleIndex += sg.missingBefore;
                    gaps += sg.missingBefore > 0 ? 1 : 0;
                    missingTotal += sg.missingBefore;
                }
                // Samples of a segment are evenly spaced at the nominal period from its first timestamp: the jitter
                // of a host clock is not the sensor's.
                for (int i = 0; i < sg.count(); ) {
                    int count = Math.min(100, sg.count() - i);
                    for (int k = 0; k < count; k++) {
                        for (int c = 0; c < ch; c++) {
                            raw[k * ch + c] = (short) Math.max(-32767, Math.min(32767,
                                    Math.round(sg.values[(i + k) * ch + c] / scale[c])));
                        }
                    }
                    long ts = Math.round((sg.startS - tl.t0) * 1e6 + i * 1e6 / rate);
                    w.append(raw, count, seq++, ts, periodNs);
                    if (sg.labels != null) {
                        runs.add(sg.labels, i, count, sampleIndex);
                    }
                    sampleIndex += count;
                    written += count;
                    i += count;
                }
            }
            runs.flush(w);
        }
        return new Report(out, rows, written, skipped, skippedExamples, filteredOut, ch, names, rate, gaps, missingTotal,
                timing);
    }

    /** A contiguous run of samples: after an outage ({@code missingBefore} > 0) or a clock step back (0). */
    private record Segment(double startS, float[] values, SessionLabel[] labels, int channels, long missingBefore,
            boolean fileStart) {
        int count() {
            return values.length / channels;
        }
    }

    /**
     * The time column read as a sensor's clock seen through a noisy one: the nominal period, the outages and the
     * backward steps, and the segments they cut.
     */
    private static final class Timeline {
        final double[] t;
        final double t0;
        final double period;
        final double threshold;
        final boolean automatic;
        final double median;
        final double p99;
        final double max;
        final double jitter;
        /** For each row i > 0: 0 continue, -1 the clock stepped back, else the samples missing before it. */
        final long[] boundary;
        long backwardSteps;

        private Timeline(double[] t, double period, double threshold, boolean automatic, double median, double p99,
                double max, double jitter) {
            this.t = t;
            this.t0 = t.length > 0 ? t[0] : 0;
            this.period = period;
            this.threshold = threshold;
            this.automatic = automatic;
            this.median = median;
            this.p99 = p99;
            this.max = max;
            this.jitter = jitter;
            this.boundary = new long[t.length];
        }

        /** Boundary value of a row that starts another file: a segment boundary, nothing missing. */
        static final long FILE_START = -2;

        static Timeline fixed(int n, double rateHz, int[] fileStarts) {
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = i / rateHz;
            }
            Timeline tl = new Timeline(t, 1 / rateHz, Double.POSITIVE_INFINITY, true, 1 / rateHz, 1 / rateHz,
                    1 / rateHz, 0);
            for (int i : fileStarts) {
                tl.boundary[i] = FILE_START;
            }
            return tl;
        }

        static Timeline of(Path csv, double[] t, double rateHz, java.time.Duration maxGap, int[] fileStarts) {
            boolean[] newFile = new boolean[t.length];
            for (int i : fileStarts) {
                newFile[i] = true;
            }
            double[] dt = new double[t.length - 1];
            int m = 0;
            for (int i = 1; i < t.length; i++) {
                if (t[i] >= t[i - 1] && !newFile[i]) {
                    dt[m++] = t[i] - t[i - 1];
                }
            }
            dt = Arrays.copyOf(dt, m);
            Arrays.sort(dt);
            if (m == 0 || (rateHz <= 0 && dt[m / 2] <= 0)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "cannot tell the sample rate of " + csv
                        + ": the time column does not advance (" + (m == 0 ? "it only steps backwards" : "most "
                        + "consecutive rows share one time") + "); give a rate (--rate HZ)");
            }
            double median = dt[m / 2];
            double period = rateHz > 0 ? 1 / rateHz : median;
            if (!(period >= 1e-6) || !(1 / period < 1e6)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "the time column of " + csv + " advances by "
                        + median + " s per row: " + (1 / period) + " Hz is not a sample rate (is the time in "
                        + "seconds? see --time-format, or give --rate HZ)");
            }
            // Outages are the intervals far beyond the jitter: look at the spread without them (> 20 periods).
            int k = m;
            while (k > 1 && dt[k - 1] > 20 * period) {
                k--;
            }
            double p99 = dt[Math.min(k - 1, (int) Math.floor(0.99 * (k - 1)))];
            double[] dev = new double[m];
            for (int i = 0; i < m; i++) {
                dev[i] = Math.abs(dt[i] - median);
            }
            Arrays.sort(dev);
            double jitter = 1.4826 * dev[m / 2];
            double threshold;
            boolean automatic = maxGap == null;
            if (automatic) {
                // 1.5 periods on a clean clock (one lost sample is a gap); on a jittery one, beyond 4x the spread of
                // the 99th percentile, at most 10 periods.
                threshold = Math.max(1.5 * period, Math.min(10 * period, period + 4 * (p99 - period)));
            } else {
                threshold = maxGap.toNanos() / 1e9;
            }
            if (rateHz <= 0) {
                // The median of a jittery clock's intervals is not the sensor's period; their mean without the outages
                // is (delivery delays cancel out over a segment).
                double sum = 0;
                int count = 0;
                for (int i = 0; i < m; i++) {
                    if (dt[i] <= threshold) {
                        sum += dt[i];
                        count++;
                    }
                }
                if (count > 0 && sum > 0) {
                    period = sum / count;
                    if (automatic) {
                        threshold = Math.max(1.5 * period, threshold);
                    }
                }
            }
            Timeline tl = new Timeline(t, period, threshold, automatic, median, p99, dt[m - 1], jitter);
            for (int i = 1; i < t.length; i++) {
                double d = t[i] - t[i - 1];
                if (newFile[i]) {
                    tl.boundary[i] = FILE_START;
                } else if (d < 0) {
                    tl.boundary[i] = -1;
                    tl.backwardSteps++;
                } else if (d > threshold) {
                    tl.boundary[i] = Math.max(1, Math.round(d / period) - 1);
                }
            }
            return tl;
        }

        Timing timing(int segments, double resampledHz) {
            return new Timing(period, median, p99, max, jitter, threshold, automatic, backwardSteps, segments,
                    resampledHz);
        }

        /** Cuts the rows into segments; with {@code resampleHz} > 0 each is interpolated onto a uniform grid. */
        List<Segment> segments(float[] values, int ch, List<SessionLabel> labels, double resampleHz) {
            List<Segment> out = new ArrayList<>();
            int from = 0;
            long missing = 0;
            boolean fileStart = false;
            for (int i = 1; i <= t.length; i++) {
                if (i == t.length || boundary[i] != 0) {
                    Segment s = resampleHz > 0 ? resampled(values, ch, labels, from, i, resampleHz, missing, fileStart)
                            : new Segment(t[from], Arrays.copyOfRange(values, from * ch, i * ch),
                                    labels.isEmpty() ? null : labels.subList(from, i).toArray(new SessionLabel[0]), ch,
                                    missing, fileStart);
                    if (s != null) {
                        out.add(s);
                    }
                    if (i < t.length) {
                        missing = boundary[i] < 0 ? 0 : boundary[i];
                        fileStart = boundary[i] == FILE_START;
                        if (resampleHz > 0 && boundary[i] > 0) {
                            // on the new grid: the samples that fit in the outage
                            missing = Math.max(1, Math.round((t[i] - t[i - 1]) * resampleHz) - 1);
                        }
                    }
                    from = i;
                }
            }
            return out;
        }

        /**
         * Linear interpolation of rows [from, to) onto t[from] + k / hz, k = 0 .. while inside the segment; a label is
         * the label of the row at or before the grid point. Rows with equal times: the later one wins. Null when the
         * segment is a single row.
         */
        private Segment resampled(float[] v, int ch, List<SessionLabel> labels, int from, int to, double hz,
                long missing, boolean fileStart) {
            double span = t[to - 1] - t[from];
            if (to - from < 2 || span <= 0) {
                return to - from >= 1 ? new Segment(t[from], Arrays.copyOfRange(v, from * ch, (from + 1) * ch),
                        labels.isEmpty() ? null : new SessionLabel[] {labels.get(from)}, ch, missing, fileStart)
                        : null;
            }
            int n = (int) Math.floor(span * hz + 1e-9) + 1;
            float[] out = new float[n * ch];
            SessionLabel[] ls = labels.isEmpty() ? null : new SessionLabel[n];
            int j = from;
            for (int k = 0; k < n; k++) {
                double tk = t[from] + k / hz;
                while (j + 1 < to - 1 && t[j + 1] <= tk) {
                    j++;
                }
                double a = t[j];
                double b = t[j + 1];
                double w = b > a ? Math.min(1, Math.max(0, (tk - a) / (b - a))) : 1;
                for (int c = 0; c < ch; c++) {
                    out[k * ch + c] = (float) (v[j * ch + c] * (1 - w) + v[(j + 1) * ch + c] * w);
                }
                if (ls != null) {
                    ls[k] = labels.get(tk >= b ? j + 1 : j);
                }
            }
            return new Segment(t[from], out, ls, ch, missing, fileStart);
        }
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

        void add(SessionLabel[] labels, int from, int n, long firstSample) {
            for (int k = 0; k < n; k++) {
                SessionLabel l = labels[from + k];
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
        if (timeFormat != TimeFormat.ISO) {
            try {
                double d = Double.parseDouble(s);
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("time '" + v + "' is not finite");
                }
                return d * timeFormat.seconds;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("time '" + v + "' is not a number of "
                        + timeFormat.name().toLowerCase(java.util.Locale.ROOT).replace("unix_", ""));
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
        private java.time.Duration maxGap;
        private double resampleHz;
        private double scaleFactor = 1;

        /**
         * The field delimiter (default {@code ,}).
         *
         * @param d the delimiter, e.g. {@code ';'} or {@code '\t'}
         * @return this builder
         */
        public Builder delimiter(char d) { this.delimiter = d; return this; }
        /**
         * An interval between timestamps longer than this is an outage (samples missing); default: chosen from the
         * data ({@link Timing}), which tells a jittery host clock from a real outage.
         *
         * @param d the gap threshold, positive
         * @return this builder
         */
        public Builder maxGap(java.time.Duration d) { this.maxGap = d; return this; }
        /**
         * Puts the samples on a uniform grid at this rate by linear interpolation between neighbouring rows, segment
         * by segment (for loggers that do not sample evenly). 0: off (samples keep their order, taken as evenly
         * spaced at the nominal period).
         *
         * @param hz the grid's rate, Hz, or 0 for off
         * @return this builder
         */
        public Builder resampleHz(double hz) { this.resampleHz = hz; return this; }
        /**
         * Multiplies every value, e.g. raw counts to physical units (with {@link #unit}). Default 1.
         *
         * @param factor finite and not zero
         * @return this builder
         */
        public Builder scale(double factor) { this.scaleFactor = factor; return this; }
        /**
         * Whether the first line is a header (default {@code true}); without one, columns are given by index.
         *
         * @param h the file has a header line
         * @return this builder
         */
        public Builder header(boolean h) { this.header = h; return this; }
        /**
         * Value columns by header name or 0-based index.
         *
         * @param c the columns, at least one; each becomes a channel, in this order
         * @return this builder
         */
        public Builder columns(List<String> c) { this.columns = List.copyOf(c); return this; }
        /**
         * Keeps only rows whose column equals the value. Repeatable.
         *
         * @param column the column, by header name or 0-based index
         * @param value  the value the row must have in it
         * @return this builder
         */
        public Builder filter(String column, String value) { this.filters.put(column, value); return this; }
        /**
         * The column holding each row's time (default none: the samples are evenly spaced at {@link #rateHz}).
         *
         * @param c the column, by header name or 0-based index
         * @param f how the times are written
         * @return this builder
         */
        public Builder timeColumn(String c, TimeFormat f) { this.timeColumn = c; this.timeFormat = f; return this; }
        /**
         * Sample rate; when absent it is the median rate of the time column.
         *
         * @param r the rate, Hz, or 0 to take it from the time column
         * @return this builder
         */
        public Builder rateHz(double r) { this.rateHz = r; return this; }
        /**
         * A column holding each row's label, in any spelling {@link SessionLabel#lookup(String)} knows (default
         * none).
         *
         * @param c the column, by header name or 0-based index
         * @return this builder
         */
        public Builder labelColumn(String c) { this.labelColumn = c; return this; }
        /**
         * The session's label (default unlabelled); rows of a label column override it.
         *
         * @param l the label
         * @return this builder
         */
        public Builder label(SessionLabel l) { this.label = l; return this; }
        /**
         * Whether malformed rows are skipped and counted instead of failing the import (default {@code false}).
         *
         * @param s skip bad rows
         * @return this builder
         */
        public Builder skipBadRows(boolean s) { this.skipBadRows = s; return this; }
        /**
         * The machine recorded (default none).
         *
         * @param m the machine id
         * @return this builder
         */
        public Builder machineId(String m) { this.machineId = m; return this; }
        /**
         * The values' physical unit, e.g. {@code dps} or {@code g} (default none).
         *
         * @param u the unit
         * @return this builder
         */
        public Builder unit(String u) { this.unit = u; return this; }
        /**
         * Adds a free tag to the session information.
         *
         * @param k the key
         * @param v the value
         * @return this builder
         */
        public Builder tag(String k, String v) { this.tags.put(k, v); return this; }

        /**
         * {@return the importer}
         *
         * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} for no value column, or a negative rate, max
         *         gap, resample rate or zero scale
         */
        public CsvImport build() {
            if (rateHz < 0 || Double.isNaN(rateHz) || Double.isInfinite(rateHz)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "rate must be a positive number of Hz, got " + rateHz);
            }
            if (columns.isEmpty()) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "give at least one value column");
            }
            if (maxGap != null && (maxGap.isNegative() || maxGap.isZero())) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "max gap must be positive, got " + maxGap);
            }
            if (resampleHz < 0 || !Double.isFinite(resampleHz)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "resample rate must be a positive number of Hz, "
                        + "got " + resampleHz);
            }
            if (!Double.isFinite(scaleFactor) || scaleFactor == 0) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "scale must be a finite, non-zero factor, got "
                        + scaleFactor);
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
