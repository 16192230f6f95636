package io.gyrosentinel.training;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Detection quality on labelled windows. Threshold-free: ROC-AUC and PR-AUC (average precision). At the
 * model's threshold: precision, recall, F1, false-alarm rate ({@code FP / negatives}), missed-alarm rate
 * ({@code FN / positives}) and the confusion matrix. Rates with an empty denominator are NaN, and so are the
 * AUCs when only one class is present.
 *
 * @param rocAuc          area under the ROC curve, 0 .. 1 (NaN with one class only)
 * @param prAuc           area under the precision-recall curve (average precision), 0 .. 1
 * @param precision       alarms that were anomalous: {@code TP / (TP + FP)}
 * @param recall          anomalous windows that raised an alarm: {@code TP / positives}
 * @param f1              harmonic mean of precision and recall
 * @param falseAlarmRate  {@code FP / negatives}
 * @param missedAlarmRate {@code FN / positives}
 * @param threshold       the model's threshold the alarms were decided with
 * @param confusion       the window counts at that threshold
 * @param windows         every window's score, in order
 */
public record EvaluationReport(double rocAuc, double prAuc, double precision, double recall, double f1,
        double falseAlarmRate, double missedAlarmRate, double threshold, ConfusionMatrix confusion,
        List<WindowScore> windows) {

    /**
     * Copies {@code windows}.
     *
     * @param rocAuc          area under the ROC curve
     * @param prAuc           area under the precision-recall curve
     * @param precision       precision at the threshold
     * @param recall          recall at the threshold
     * @param f1              F1 at the threshold
     * @param falseAlarmRate  false-alarm rate at the threshold
     * @param missedAlarmRate missed-alarm rate at the threshold
     * @param threshold       the threshold
     * @param confusion       the window counts at the threshold
     * @param windows         every window's score
     */
    public EvaluationReport {
        windows = List.copyOf(windows);
    }

    /**
     * Writes one CSV row per window (header: series,series_name,start,end,label,score,threshold,alarm).
     *
     * @param out where to write; not closed
     * @throws IOException when writing fails
     */
    public void writeCsv(Writer out) throws IOException {
        out.write("series,series_name,start,end,label,score,threshold,alarm\n");
        for (WindowScore w : windows) {
            out.write(String.format(Locale.ROOT, "%d,%s,%d,%d,%s,%.9g,%.9g,%d%n", w.series(), csv(w.seriesName()),
                    w.start(), w.end(), w.anomalous() ? "anomalous" : "normal", w.score(), threshold,
                    w.alarm() ? 1 : 0));
        }
    }

    /**
     * Writes the CSV to a file (UTF-8), atomically.
     *
     * @param file the CSV file, replaced if it exists
     * @throws io.gyrosentinel.GyroSentinelException {@code IO} when it cannot be written
     */
    public void writeCsv(Path file) {
        try {
            io.gyrosentinel.io.AtomicFiles.write(file, false, out -> {
                Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
                writeCsv(w);
                w.flush();
            });
        } catch (IOException e) {
            throw new io.gyrosentinel.GyroSentinelException(io.gyrosentinel.ErrorCode.IO, "cannot write " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "ROC-AUC %.4f, PR-AUC %.4f, precision %.4f, recall %.4f, F1 %.4f, false alarms %.4f, missed %.4f, %s",
                rocAuc, prAuc, precision, recall, f1, falseAlarmRate, missedAlarmRate, confusion);
    }
}
