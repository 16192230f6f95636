package io.gyrosentinel.training.internal;

import io.gyrosentinel.training.ModelArchitecture;
import io.gyrosentinel.training.ModelArchitecture.ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.op.nn.BlockLSTMGrad;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The training graph: a pure function {@code (windows, parameters) -> (loss, dLoss/dParameters, reconstruction)}.
 *
 * <p>Parameters are placeholders, not variables: the optimiser, the weights, early stopping and
 * restore-best all live in Java, so the graph holds no state and is deterministic to feed. Each LSTM layer is
 * one fused {@code BlockLSTMV2} op (gate layout i, f, c, o — the Keras layout; no forget bias, no peepholes,
 * no cell clipping); its gradient is {@code BlockLSTMGradV2}, registered as a custom gradient because TF Java
 * has none for it. Not thread-safe; close it to free the native graph and session.
 */
public final class TfAutoencoderGraph implements AutoCloseable {
    private static final AtomicBoolean GRADIENT_REGISTERED = new AtomicBoolean();

    private final ModelArchitecture arch;
    private final List<ParameterSpec> specs;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat32> input;
    private final List<Placeholder<TFloat32>> params = new ArrayList<>();
    private Operand<TFloat32> loss;
    private Operand<TFloat32> reconstruction;
    private final List<Output<?>> gradients = new ArrayList<>();
    private boolean closed;

    public TfAutoencoderGraph(ModelArchitecture arch, int intraOpThreads) {
        requireNativeLibrary();
        registerLstmGradient();
        this.arch = arch;
        this.specs = arch.parameterSpecs();
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            // The LSTMs run over frames: S = T/K steps of K*F values (the same row-major floats as [T][F]).
            int t = arch.steps();
            int f = arch.stepWidth();
            input = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, t, f)));
            for (ParameterSpec spec : specs) {
                long[] dims = new long[spec.shape().length];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = spec.shape()[i];
                }
                params.add(tf.withName("p." + spec.name()).placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(dims))));
            }
            if (arch.cell() == ModelArchitecture.Cell.DENSE) {
                // Fully connected over the whole window: [B, T*F] through tanh layers and a linear output layer.
                int n = arch.windowLength() * arch.channels();
                Operand<TFloat32> flat = tf.reshape(input, tf.constant(new int[] {-1, n}));
                Operand<TFloat32> h = flat;
                int layers = arch.lstmLayerUnits().size();
                for (int l = 0; l < layers; l++) {
                    h = tf.math.tanh(tf.math.add(tf.linalg.matMul(h, params.get(2 * l)), params.get(2 * l + 1)));
                }
                Operand<TFloat32> y = tf.math.add(tf.linalg.matMul(h, params.get(2 * layers)),
                        params.get(2 * layers + 1));
                reconstruction = tf.withName("reconstruction").reshape(y, tf.shape(input));
                loss = tf.withName("loss").math.mean(tf.math.square(tf.math.sub(y, flat)),
                        tf.constant(new int[] {0, 1}));
            } else if (arch.cell() == ModelArchitecture.Cell.CONV) {
                // NHWC with H = 1: [B, 1, T, F]; stride-2 convolutions down, (repeat every sample, convolve) up.
                int t0 = arch.windowLength();
                int ch = arch.channels();
                int encoders = arch.encoderUnits().size();
                List<Integer> units = arch.lstmLayerUnits();
                int layers = units.size();
                Operand<TFloat32> h = tf.reshape(input, tf.constant(new int[] {-1, 1, t0, ch}));
                int len = t0;
                int in = ch;
                for (int l = 0; l <= layers; l++) {
                    boolean down = l < encoders;
                    if (l >= encoders && l < layers) {
                        Operand<TFloat32> col = tf.reshape(h, tf.constant(new int[] {-1, len, 1, in}));
                        h = tf.reshape(tf.concat(List.of(col, col), tf.constant(2)),
                                tf.constant(new int[] {-1, 1, 2 * len, in}));
                        len *= 2;
                    }
                    int u = l < layers ? units.get(l) : ch;
                    Operand<TFloat32> filter = tf.reshape(params.get(2 * l), tf.constant(new int[] {1,
                            ModelArchitecture.CONV_KERNEL, in, u}));
                    h = tf.math.add(tf.nn.conv2d(h, filter, List.of(1L, 1L, down ? 2L : 1L, 1L), "SAME"),
                            params.get(2 * l + 1));
                    if (l < layers) {
                        h = tf.math.tanh(h);
                    }
                    len = down ? (len + 1) / 2 : len;
                    in = u;
                }
                Operand<TFloat32> y = tf.reshape(h, tf.constant(new int[] {-1, t0, ch}));
                reconstruction = tf.withName("reconstruction").identity(y);
                loss = tf.withName("loss").math.mean(tf.math.square(tf.math.sub(y, input)),
                        tf.constant(new int[] {0, 1, 2}));
            } else {
            // Time-major [T, B, F] as BlockLSTMV2 wants.
            Operand<TFloat32> xt = tf.linalg.transpose(input, tf.constant(new int[] {1, 0, 2}));
            Operand<TInt32> batch = tf.slice(tf.shape(xt), tf.constant(new int[] {1}), tf.constant(new int[] {1}));
            Operand<TInt64> seqLenMax = tf.constant((long) t);
            List<Integer> units = arch.lstmLayerUnits();
            int encoders = arch.encoderUnits().size();
            Operand<TFloat32> seq = xt;
            for (int l = 0; l < encoders; l++) {
                seq = lstm(tf, l, units.get(l), seq, batch, seqLenMax);
            }
            // latent = h at the last step, repeated T times. The device does this with CONCATENATION of the same
            // tensor (no TILE); here a broadcast multiply by ones gives bit-identical values, and its gradient is
            // one Sum. Concatenating T copies would make the gradient an AddN whose input order depends on
            // graph construction, so the same seed would not always give the same weights.
            int latentSize = arch.latentSize();
            Operand<TFloat32> last = tf.slice(seq, tf.constant(new int[] {t - 1, 0, 0}),
                    tf.constant(new int[] {1, -1, latentSize}));
            float[][][] ones = new float[t][1][1];
            for (float[][] o : ones) {
                o[0][0] = 1f;
            }
            seq = tf.math.mul(last, tf.constant(ones));
            for (int l = encoders; l < units.size(); l++) {
                seq = lstm(tf, l, units.get(l), seq, batch, seqLenMax);
            }
            int lastUnits = units.get(units.size() - 1);
            int p = 3 * units.size();
            Operand<TFloat32> flat = tf.reshape(seq, tf.constant(new int[] {-1, lastUnits}));
            Operand<TFloat32> dense = tf.math.add(tf.linalg.matMul(flat, params.get(p)), params.get(p + 1));
            Operand<TFloat32> yt = tf.reshape(dense, tf.shape(xt));
            reconstruction = tf.withName("reconstruction").linalg.transpose(yt, tf.constant(new int[] {1, 0, 2}));
            loss = tf.withName("loss").math.mean(tf.math.square(tf.math.sub(yt, xt)),
                    tf.constant(new int[] {0, 1, 2}));
            }
            Gradients g = tf.gradients(loss, params);
            for (int i = 0; i < params.size(); i++) {
                gradients.add(g.dy(i));
            }
            // Grappler is off: its meta-optimizer works to a time budget, so under load the same graph could be
            // rewritten differently from run to run. The graph is small; the fused LSTM ops do the real work.
            ConfigProto config = ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(Math.max(1, intraOpThreads))
                    .setInterOpParallelismThreads(1)
                    .setGraphOptions(GraphOptions.newBuilder()
                            .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
                    .build();
            session = new Session(graph, config);
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    private Operand<TFloat32> lstm(Ops tf, int layer, int u, Operand<TFloat32> seq, Operand<TInt32> batch,
            Operand<TInt64> seqLenMax) {
        Operand<TFloat32> kernel = params.get(3 * layer);
        Operand<TFloat32> recurrent = params.get(3 * layer + 1);
        Operand<TFloat32> bias = params.get(3 * layer + 2);
        Operand<TFloat32> w = tf.concat(List.of(kernel, recurrent), tf.constant(0));
        Operand<TFloat32> zerosU = tf.zeros(tf.constant(new int[] {u}), TFloat32.class);
        Operand<TFloat32> state0 = tf.fill(tf.concat(List.of(batch, tf.constant(new int[] {u})), tf.constant(0)),
                tf.constant(0f));
        BlockLSTM<TFloat32> cell = tf.nn.blockLSTM(seqLenMax, seq, state0, state0, w, zerosU, zerosU, zerosU, bias,
                BlockLSTM.usePeephole(false), BlockLSTM.cellClip(0f));
        return cell.h();
    }

    /**
     * Loads TensorFlow's native library (TensorFlow's class initialiser does, once per JVM; a failure there
     * surfaces as {@link UnsatisfiedLinkError} the first time and {@link NoClassDefFoundError} after).
     *
     * @throws io.gyrosentinel.GyroSentinelException {@link io.gyrosentinel.ErrorCode#UNSUPPORTED} when it is not
     *                                               there for this platform: the message names the platform and
     *                                               the artifact to add ({@link NativePlatform})
     */
    public static void requireNativeLibrary() {
        QuietNativeLogs.apply();
        try {
            TensorFlow.version();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw NativePlatform.current().tensorflowMissing(e);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void registerLstmGradient() {
        if (!GRADIENT_REGISTERED.compareAndSet(false, true)) {
            return;
        }
        TensorFlow.registerCustomGradient(BlockLSTM.Inputs.class, (tf, op, grads) -> {
            BlockLSTM fwd = (BlockLSTM) op.getOutputs();
            Operand csGrad = grads.get(1) != null ? grads.get(1) : tf.zerosLike(fwd.cs());
            Operand hGrad = grads.get(6) != null ? grads.get(6) : tf.zerosLike(fwd.h());
            BlockLSTMGrad g = tf.nn.blockLSTMGrad(op.seqLenMax, op.x, op.csPrev, op.hPrev, op.w, op.wci, op.wcf,
                    op.wco, op.b, fwd.i(), fwd.cs(), fwd.f(), fwd.o(), fwd.ci(), fwd.co(), fwd.h(), csGrad, hGrad,
                    op.usePeephole);
            // A custom gradient must return zeros, never null (DESIGN §4).
            return List.of(tf.zerosLike(op.seqLenMax), g.xGrad(), g.csPrevGrad(), g.hPrevGrad(), g.wGrad(),
                    g.wciGrad(), g.wcfGrad(), g.wcoGrad(), g.bGrad());
        });
    }

    /**
     * One forward+backward pass.
     *
     * @param windows  {@code n*T*F} normalised floats
     * @param gradOut  receives the gradients, same layout as params
     * @return the mean squared error of the batch
     */
    public float lossAndGradients(float[] windows, int n, float[][] weights, float[][] gradOut) {
        try (Feeds feeds = feed(windows, n, weights)) {
            Session.Runner runner = feeds.runner.fetch(loss);
            for (Output<?> g : gradients) {
                runner.fetch(g);
            }
            try (Result r = runner.run()) {
                float l = ((TFloat32) r.get(0)).getFloat();
                for (int i = 0; i < gradients.size(); i++) {
                    ((TFloat32) r.get(i + 1)).copyTo(DataBuffers.of(gradOut[i], false, false));
                }
                return l;
            }
        }
    }

    /** Mean squared error of a batch (forward only). */
    public float loss(float[] windows, int n, float[][] weights) {
        try (Feeds feeds = feed(windows, n, weights); Result r = feeds.runner.fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** Reconstruction of a batch, {@code n*T*F} floats. */
    public float[] reconstruct(float[] windows, int n, float[][] weights) {
        float[] out = new float[n * arch.windowLength() * arch.channels()];
        try (Feeds feeds = feed(windows, n, weights); Result r = feeds.runner.fetch(reconstruction).run()) {
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
        }
        return out;
    }

    private Feeds feed(float[] windows, int n, float[][] weights) {
        if (closed) {
            throw new IllegalStateException("graph is closed");
        }
        Feeds feeds = new Feeds(session.runner());
        try {
            int t = arch.steps();
            int f = arch.stepWidth();
            if (windows.length < n * t * f) {
                throw new IllegalArgumentException("need " + (n * t * f) + " floats, got " + windows.length);
            }
            TFloat32 x = TFloat32.tensorOf(Shape.of(n, t, f),
                    DataBuffers.of(windows, true, false).narrow((long) n * t * f));
            feeds.tensors.add(x);
            feeds.runner.feed(input, x);
            for (int i = 0; i < specs.size(); i++) {
                int[] shape = specs.get(i).shape();
                long[] dims = new long[shape.length];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = shape[d];
                }
                TFloat32 p = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(weights[i], true, false));
                feeds.tensors.add(p);
                feeds.runner.feed(params.get(i), p);
            }
            return feeds;
        } catch (RuntimeException e) {
            feeds.close();
            throw e;
        }
    }

    private static final class Feeds implements AutoCloseable {
        final Session.Runner runner;
        final List<TFloat32> tensors = new ArrayList<>();

        Feeds(Session.Runner runner) {
            this.runner = runner;
        }

        @Override
        public void close() {
            for (TFloat32 t : tensors) {
                t.close();
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
            graph.close();
        }
    }
}
