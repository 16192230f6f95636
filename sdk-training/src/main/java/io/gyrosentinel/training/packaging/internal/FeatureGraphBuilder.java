package io.gyrosentinel.training.packaging.internal;

import io.gyrosentinel.training.FeatureModel;
import io.gyrosentinel.training.SignalFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The float32 TFLite graph of a {@link FeatureModel}: {@link SignalFeatures} and the score, from stock TFLite Micro
 * ops. Input: the normalised window {@code [T][F]} (the same bytes the firmware fills for the autoencoders). Output:
 * the {@code F} channel scores (their mean is the score; manifest {@code "output": "channel_scores"}).
 * <pre>
 *   xt   = TRANSPOSE(x)                                   [F, T]   one row per channel
 *   mean = FC(xt, 1/T)                                    [F, 1]
 *   a    = FC(xt, I − 1/T)                                [F, T]   centred (the centring matrix)
 *   m2   = FC(a·a, 1/T), m4 = FC((a·a)·(a·a), 1/T)        [F, 1]
 *   peak = REDUCE_MAX(ABS(a), axis 1)                     [F, 1]
 *   spec = FC(a, Hann-windowed cos/sin rows of bins 1..T/2)          [F, 2K]
 *   band = FC(spec·spec, band sums / T²)                 [F, N]
 *   feat = CONCATENATION(mean, ½ LOG(m2+ε), LOG(peak+ε), peak·RSQRT(m2+ε), m4 / (m2·m2+ε), LOG(band+ε))
 *   z    = FC(RESHAPE(feat, [1, F·P]), diag(1/σ), −μ/σ)  [1, D]   channel-major, as SignalFeatures
 *   c    = z · FC(z, T)  (+ FC(z, Q)² for PCA)            [1, D]   per-feature contributions
 *   out  = FC(c, channel sums · F)                        [1, F]
 * </pre>
 */
public final class FeatureGraphBuilder {
    private FeatureGraphBuilder() {
    }

    public static Graph build(FeatureModel model) {
        SignalFeatures sf = model.features();
        int t = sf.windowLength();
        int f = sf.channels();
        int bins = t / 2;
        int d = sf.size();
        Graph g = new Graph();
        g.input = g.activation("input", t, f);
        int xt = g.transpose("features.xt", g.input);
        float[] avg = new float[t];
        java.util.Arrays.fill(avg, 1f / t);
        int avgW = g.constant("features.avg", avg, 1, t);
        int mean = sf.withMean() ? g.fullyConnected("features.mean", xt, avgW, -1) : -1;
        float[] centre = new float[t * t];
        for (int o = 0; o < t; o++) {
            for (int i = 0; i < t; i++) {
                centre[o * t + i] = (o == i ? 1f : 0f) - 1f / t;
            }
        }
        int a = g.fullyConnected("features.centred", xt, g.constant("features.centre", centre, t, t), -1);
        int a2 = g.mul("features.a2", a, a);
        int m2 = g.fullyConnected("features.m2", a2, avgW, -1);
        int a4 = g.mul("features.a4", a2, a2);
        int m4 = g.fullyConnected("features.m4", a4, avgW, -1);
        int peak = g.reduceMax("features.peak", g.unary(Graph.OpType.ABS, "features.abs", a), 1);
        int eps = constantFill(g, "features.eps", (float) SignalFeatures.EPSILON, f, 1);
        int m2e = g.add("features.m2_eps", m2, eps);
        int logStd = g.mul("features.log_std", g.unary(Graph.OpType.LOG, "features.log_var", m2e),
                constantFill(g, "features.half", 0.5f, f, 1));
        int logPeak = g.unary(Graph.OpType.LOG, "features.log_peak", g.add("features.peak_eps", peak, eps));
        int crest = g.mul("features.crest", peak, g.unary(Graph.OpType.RSQRT, "features.inv_std", m2e));
        int kurt = g.div("features.kurtosis", m4, g.add("features.var2_eps", g.mul("features.var2", m2, m2), eps));
        double[] hann = sf.hann();
        float[] dft = new float[2 * bins * t];
        for (int k = 1; k <= bins; k++) {
            for (int i = 0; i < t; i++) {
                double ang = 2 * Math.PI * ((long) k * i % t) / t;
                dft[(2 * (k - 1)) * t + i] = (float) (Math.cos(ang) * hann[i]);
                dft[(2 * (k - 1) + 1) * t + i] = (float) (Math.sin(ang) * hann[i]);
            }
        }
        int spec = g.fullyConnected("features.spectrum", a, g.constant("features.dft", dft, 2 * bins, t), -1);
        int power = g.mul("features.power", spec, spec);
        float[] sums = new float[sf.bands() * 2 * bins];
        for (int b = 0; b < sf.bands(); b++) {
            for (int k = sf.bandStart(b); k < sf.bandEnd(b); k++) {
                sums[b * 2 * bins + 2 * (k - 1)] = 1f / ((float) t * t);
                sums[b * 2 * bins + 2 * (k - 1) + 1] = 1f / ((float) t * t);
            }
        }
        int band = g.fullyConnected("features.bands", power, g.constant("features.band_sums", sums, sf.bands(),
                2 * bins), -1);
        int logBand = g.unary(Graph.OpType.LOG, "features.log_bands", g.add("features.bands_eps", band,
                constantFill(g, "features.band_eps", (float) SignalFeatures.EPSILON, f, sf.bands())));
        List<Integer> parts = new ArrayList<>();
        if (mean >= 0) {
            parts.add(mean);
        }
        parts.addAll(List.of(logStd, logPeak, crest, kurt, logBand));
        int feat = g.concat("features.all", parts.stream().mapToInt(Integer::intValue).toArray(), 1);
        int flat = g.reshape("features.flat", feat, 1, d);

        float[] mu = model.featureMean();
        float[] sigma = model.featureStd();
        float[] diag = new float[d * d];
        float[] bias = new float[d];
        for (int j = 0; j < d; j++) {
            diag[j * d + j] = 1f / sigma[j];
            bias[j] = -mu[j] / sigma[j];
        }
        int z = g.fullyConnected("score.z", flat, g.constant("score.standardise", diag, d, d),
                g.constant("score.standardise_bias", bias, d));
        int tz = g.fullyConnected("score.tz", z, g.constant("score.t", model.tMatrix(), d, d), -1);
        int c = g.mul("score.tcontrib", z, tz);
        if (model.qMatrix().length > 0) {
            int qz = g.fullyConnected("score.qz", z, g.constant("score.q", model.qMatrix(), d, d), -1);
            c = g.add("score.contrib", c, g.mul("score.qcontrib", qz, qz));
        }
        float[] group = new float[f * d];
        for (int j = 0; j < d; j++) {
            group[sf.channelOf(j) * d + j] = f;
        }
        g.output = g.fullyConnected("output", c, g.constant("score.channels", group, f, d), -1);
        return g;
    }

    private static int constantFill(Graph g, String name, float v, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] data = new float[n];
        java.util.Arrays.fill(data, v);
        return g.constant(name, data, shape);
    }
}
