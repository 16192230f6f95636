package io.gyrosentinel.training.internal;

/** Adam (Keras defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) with clipping by global norm, in Java. */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-7;

    private final float[][] m;
    private final float[][] v;
    private final double clipNorm;
    private long step;

    public Adam(float[][] shapeLike, double clipNorm) {
        m = new float[shapeLike.length][];
        v = new float[shapeLike.length][];
        for (int i = 0; i < shapeLike.length; i++) {
            m[i] = new float[shapeLike[i].length];
            v[i] = new float[shapeLike[i].length];
        }
        this.clipNorm = clipNorm;
    }

    /** Global L2 norm of all gradients. */
    public static double globalNorm(float[][] grads) {
        double sum = 0;
        for (float[] g : grads) {
            for (float x : g) {
                sum += (double) x * x;
            }
        }
        return Math.sqrt(sum);
    }

    /** Clips {@code grads} in place to {@code clipNorm} (if positive) and updates {@code params} in place. */
    public void apply(float[][] params, float[][] grads, double learningRate) {
        double norm = globalNorm(grads);
        if (!Double.isFinite(norm)) {
            throw new ArithmeticException("non-finite gradient norm " + norm + " at step " + (step + 1));
        }
        double scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
        step++;
        double lrT = learningRate * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step));
        for (int i = 0; i < params.length; i++) {
            float[] p = params[i];
            float[] g = grads[i];
            float[] mi = m[i];
            float[] vi = v[i];
            for (int j = 0; j < p.length; j++) {
                double gj = g[j] * scale;
                double mj = BETA1 * mi[j] + (1 - BETA1) * gj;
                double vj = BETA2 * vi[j] + (1 - BETA2) * gj * gj;
                mi[j] = (float) mj;
                vi[j] = (float) vj;
                p[j] = (float) (p[j] - lrT * mj / (Math.sqrt(vj) + EPSILON));
            }
        }
    }
}
