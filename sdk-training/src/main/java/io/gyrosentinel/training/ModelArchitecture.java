package io.gyrosentinel.training;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape of an LSTM autoencoder: window length {@code T}, channels {@code F}, samples per LSTM step {@code K},
 * encoder and decoder units.
 *
 * <p>The computation it describes (see {@code sdk-training/MODEL.md} for the device mapping), for one
 * normalised window {@code x[0..T-1][0..F-1]}:
 * <pre>
 *   seq = x viewed as S = T/K frames of K*F values (frame s = samples s*K .. s*K+K-1, row-major: no copy)
 *   (every "step" below is a frame; y is produced frame by frame and read back as [T][F])
 *   for each encoder layer k (units U_k): run LSTM over seq; seq = all h_t (every layer but the last)
 *   latent = final h of the last encoder layer                       [U_enc_last]
 *   seq = latent repeated S times (CONCATENATION of the same tensor)  [S][U_enc_last]
 *   for each decoder layer k: run LSTM over seq; seq = all h_t
 *   y_t = seq_t · out.kernel + out.bias                              [S][K*F], read as [T][F]
 *   score = mean over t,f of (y - x)^2
 * </pre>
 * One LSTM step (Keras gate order i, f, c, o; zero initial h and c; no peepholes, no cell clipping):
 * <pre>
 *   z = x_t · kernel + h · recurrent + bias          kernel [in][4U], recurrent [U][4U], bias [4U]
 *   i = σ(z[0:U]) f = σ(z[U:2U]) g = tanh(z[2U:3U]) o = σ(z[3U:4U])
 *   c = f ⊙ c + i ⊙ g ;  h = o ⊙ tanh(c)
 * </pre>
 *
 * <p>Why frames ({@code K > 1}): an LSTM step costs about the same whatever its input width, because the
 * recurrent products and the gate activations dominate; feeding {@code K} samples per step divides the cost per
 * sample by about {@code K} while every sample still reaches the model (nothing is decimated or filtered away).
 * The cost card in {@code docs/benchmarks.md} §7 chose the trainer's default.
 *
 * @param windowLength    samples per window ({@code T})
 * @param channels        channels per sample ({@code F})
 * @param samplesPerStep  samples per LSTM step ({@code K}, a divisor of {@code T}; 1 = one sample per step)
 * @param encoderUnits    units of each encoder LSTM layer, outermost first (default 16, 8)
 * @param decoderUnits    units of each decoder LSTM layer (default 8, 16)
 * @param cell            the layer type: LSTM, fully connected or convolutional
 */
public record ModelArchitecture(int windowLength, int channels, int samplesPerStep, List<Integer> encoderUnits,
        List<Integer> decoderUnits, Cell cell) {

    /** The layers: LSTM ({@code lstm-ae}), fully connected ({@code dense-ae}) or convolutional ({@code conv-ae}). */
    public enum Cell {
        /** LSTM layers over the window's frames (see above). */
        LSTM,
        /**
         * Fully connected layers over the whole window: {@code h = tanh(h · kernel + bias)} for every encoder and
         * decoder layer, starting from the window's {@code T*F} values; then {@code y = h · out.kernel + out.bias}
         * ({@code T*F} values). {@code samplesPerStep} is 1 and plays no part.
         */
        DENSE,
        /**
         * A 1-D convolutional autoencoder over the window: each encoder layer is a convolution of
         * {@link #CONV_KERNEL} samples with stride 2 ("same" padding as TensorFlow) and tanh, halving the length;
         * each decoder layer doubles it (nearest neighbour: every sample repeated) and convolves with stride 1 and
         * tanh; an output convolution (stride 1, linear) returns the {@code F} channels. As many decoder as encoder
         * layers; the window must divide by {@code 2^layers}. {@code samplesPerStep} is 1 and plays no part.
         */
        CONV
    }

    /** Kernel length (samples) of every convolution of a {@link Cell#CONV} model. */
    public static final int CONV_KERNEL = 5;

    /**
     * An LSTM autoencoder ({@link Cell#LSTM}).
     *
     * @param windowLength   samples per window ({@code T})
     * @param channels       channels per sample ({@code F})
     * @param samplesPerStep samples per LSTM step ({@code K}, a divisor of {@code T})
     * @param encoderUnits   units of each encoder layer, outermost first
     * @param decoderUnits   units of each decoder layer
     * @throws GyroSentinelException as the canonical constructor
     */
    public ModelArchitecture(int windowLength, int channels, int samplesPerStep, List<Integer> encoderUnits,
            List<Integer> decoderUnits) {
        this(windowLength, channels, samplesPerStep, encoderUnits, decoderUnits, Cell.LSTM);
    }

    /**
     * A fully connected autoencoder over the window ({@code dense-ae}), e.g. encoder 32, 8 and decoder 32.
     *
     * @param windowLength samples per window ({@code T})
     * @param channels     channels per sample ({@code F})
     * @param encoderUnits units of each encoder layer, outermost first
     * @param decoderUnits units of each decoder layer
     * @return the architecture, {@link Cell#DENSE}
     * @throws GyroSentinelException as the canonical constructor
     */
    public static ModelArchitecture dense(int windowLength, int channels, List<Integer> encoderUnits,
            List<Integer> decoderUnits) {
        return new ModelArchitecture(windowLength, channels, 1, encoderUnits, decoderUnits, Cell.DENSE);
    }

    /**
     * A 1-D convolutional autoencoder ({@code conv-ae}), e.g. encoder 16, 8 and decoder 8, 16 filters.
     *
     * @param windowLength   samples per window ({@code T}), divisible by {@code 2^layers}
     * @param channels       channels per sample ({@code F})
     * @param encoderFilters filters of each encoder convolution, outermost first
     * @param decoderFilters filters of each decoder convolution, as many as encoder layers
     * @return the architecture, {@link Cell#CONV}
     * @throws GyroSentinelException as the canonical constructor
     */
    public static ModelArchitecture conv(int windowLength, int channels, List<Integer> encoderFilters,
            List<Integer> decoderFilters) {
        return new ModelArchitecture(windowLength, channels, 1, encoderFilters, decoderFilters, Cell.CONV);
    }

    /** {@return the family this architecture belongs to} */
    public ModelFamily family() {
        return switch (cell) {
            case DENSE -> ModelFamily.DENSE_AE;
            case CONV -> ModelFamily.CONV_AE;
            case LSTM -> ModelFamily.LSTM_AE;
        };
    }

    /**
     * Validates and copies the unit lists.
     *
     * @param windowLength   samples per window ({@code T})
     * @param channels       channels per sample ({@code F})
     * @param samplesPerStep samples per LSTM step ({@code K})
     * @param encoderUnits   units (or filters) of each encoder layer
     * @param decoderUnits   units (or filters) of each decoder layer
     * @param cell           the layer type
     * @throws GyroSentinelException {@link ErrorCode#INVALID_ARGUMENT} (field names the component) if windowLength is
     *                              below 2, channels below 1, samplesPerStep below 1 or not a divisor of
     *                              windowLength that leaves at least 2 steps, or a unit list is empty or not
     *                              positive
     */
    public ModelArchitecture {
        if (windowLength < 2) {
            throw invalid("windowLength", "windowLength must be >= 2, was " + windowLength);
        }
        if (channels < 1) {
            throw invalid("channels", "channels must be >= 1, was " + channels);
        }
        if (samplesPerStep < 1 || windowLength % samplesPerStep != 0 || windowLength / samplesPerStep < 2) {
            throw invalid("samplesPerStep", "samplesPerStep must divide windowLength (" + windowLength
                    + ") into at least 2 steps, was " + samplesPerStep);
        }
        encoderUnits = checkUnits("encoderUnits", encoderUnits);
        decoderUnits = checkUnits("decoderUnits", decoderUnits);
        if (cell == null) {
            throw invalid("cell", "cell is required (LSTM or DENSE)");
        }
        if (cell != Cell.LSTM && samplesPerStep != 1) {
            throw invalid("samplesPerStep", "a " + cell.name().toLowerCase(java.util.Locale.ROOT) + " autoencoder "
                    + "takes the whole window: samplesPerStep must be 1, was " + samplesPerStep);
        }
        if (cell == Cell.CONV) {
            if (decoderUnits.size() != encoderUnits.size()) {
                throw invalid("decoderUnits", "a convolutional autoencoder needs as many decoder as encoder layers "
                        + "(each doubles what one halved): encoder " + encoderUnits + ", decoder " + decoderUnits);
            }
            int div = 1 << encoderUnits.size();
            if (windowLength % div != 0 || windowLength / div < 1) {
                throw invalid("windowLength", "a convolutional autoencoder with " + encoderUnits.size()
                        + " encoder layers needs a window divisible by " + div + ", was " + windowLength);
            }
        }
    }

    /**
     * One sample per LSTM step ({@code samplesPerStep} 1).
     *
     * @param windowLength samples per window ({@code T})
     * @param channels     channels per sample ({@code F})
     * @param encoderUnits units of each encoder LSTM layer, outermost first
     * @param decoderUnits units of each decoder LSTM layer
     * @throws GyroSentinelException as the canonical constructor
     */
    public ModelArchitecture(int windowLength, int channels, List<Integer> encoderUnits, List<Integer> decoderUnits) {
        this(windowLength, channels, 1, encoderUnits, decoderUnits, Cell.LSTM);
    }

    /** {@return the LSTM steps per window: {@code windowLength / samplesPerStep}} */
    public int steps() {
        return windowLength / samplesPerStep;
    }

    /**
     * {@return the values per LSTM step: {@code samplesPerStep * channels} (the first layer's input and the output
     * width)}
     */
    public int stepWidth() {
        return samplesPerStep * channels;
    }

    private static List<Integer> checkUnits(String what, List<Integer> units) {
        if (units == null || units.isEmpty()) {
            throw invalid(what, what + " must name at least one layer");
        }
        for (Integer u : units) {
            if (u == null || u < 1) {
                throw invalid(what, what + " must be positive, was " + units);
            }
        }
        return List.copyOf(units);
    }

    private static GyroSentinelException invalid(String field, String message) {
        return new GyroSentinelException(ErrorCode.INVALID_ARGUMENT, message, field, null);
    }

    /** {@return the latent size: the units of the last encoder layer} */
    public int latentSize() {
        return encoderUnits.get(encoderUnits.size() - 1);
    }

    /** {@return the names of the layers in execution order: {@code enc0, enc1, …, dec0, dec1, …}} */
    public List<String> lstmLayerNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < encoderUnits.size(); i++) {
            names.add("enc" + i);
        }
        for (int i = 0; i < decoderUnits.size(); i++) {
            names.add("dec" + i);
        }
        return names;
    }

    /** {@return the units of each layer, same order as {@link #lstmLayerNames()}} */
    public List<Integer> lstmLayerUnits() {
        List<Integer> all = new ArrayList<>(encoderUnits);
        all.addAll(decoderUnits);
        return all;
    }

    /**
     * {@return the input width of each layer, same order as {@link #lstmLayerNames()} (dense: the first takes
     * {@code T*F})}
     */
    public List<Integer> lstmLayerInputs() {
        List<Integer> inputs = new ArrayList<>();
        int in = cell == Cell.DENSE ? windowLength * channels : cell == Cell.CONV ? channels : stepWidth();
        for (int u : encoderUnits) {
            inputs.add(in);
            in = u;
        }
        for (int u : decoderUnits) {
            inputs.add(in);
            in = u;
        }
        return inputs;
    }

    /**
     * Names and shapes of all parameters, in the fixed order used everywhere (training, files, packager):
     * for each LSTM layer {@code <layer>.kernel [in,4U]}, {@code <layer>.recurrent [U,4U]},
     * {@code <layer>.bias [4U]}, then {@code out.kernel [U_last,K*F]}, {@code out.bias [K*F]}; for a dense layer
     * {@code <layer>.kernel [in,U]}, {@code <layer>.bias [U]}, then {@code out.kernel [U_last,T*F]},
     * {@code out.bias [T*F]}.
     *
     * @return the tensors' names and shapes, in that order
     */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>();
        List<String> names = lstmLayerNames();
        List<Integer> units = lstmLayerUnits();
        List<Integer> inputs = lstmLayerInputs();
        for (int l = 0; l < names.size(); l++) {
            int u = units.get(l);
            if (cell == Cell.CONV) {
                specs.add(new ParameterSpec(names.get(l) + ".kernel", new int[] {CONV_KERNEL, inputs.get(l), u}));
                specs.add(new ParameterSpec(names.get(l) + ".bias", new int[] {u}));
                continue;
            }
            if (cell == Cell.DENSE) {
                specs.add(new ParameterSpec(names.get(l) + ".kernel", new int[] {inputs.get(l), u}));
                specs.add(new ParameterSpec(names.get(l) + ".bias", new int[] {u}));
                continue;
            }
            specs.add(new ParameterSpec(names.get(l) + ".kernel", new int[] {inputs.get(l), 4 * u}));
            specs.add(new ParameterSpec(names.get(l) + ".recurrent", new int[] {u, 4 * u}));
            specs.add(new ParameterSpec(names.get(l) + ".bias", new int[] {4 * u}));
        }
        int last = decoderUnits.get(decoderUnits.size() - 1);
        if (cell == Cell.CONV) {
            specs.add(new ParameterSpec("out.kernel", new int[] {CONV_KERNEL, last, channels}));
            specs.add(new ParameterSpec("out.bias", new int[] {channels}));
            return specs;
        }
        int outWidth = cell == Cell.DENSE ? windowLength * channels : stepWidth();
        specs.add(new ParameterSpec("out.kernel", new int[] {last, outWidth}));
        specs.add(new ParameterSpec("out.bias", new int[] {outWidth}));
        return specs;
    }

    /** {@return the total number of trainable floats} */
    public int parameterCount() {
        int n = 0;
        for (ParameterSpec s : parameterSpecs()) {
            n += s.size();
        }
        return n;
    }

    /**
     * Name and shape of one parameter tensor (row-major).
     *
     * @param name  the tensor's name, e.g. {@code enc0.kernel}
     * @param shape its dimensions, outermost first
     */
    public record ParameterSpec(String name, int[] shape) {
        /**
         * Copies {@code shape}.
         *
         * @param name  the tensor's name
         * @param shape its dimensions
         */
        public ParameterSpec {
            shape = shape.clone();
        }

        /** {@return a copy of the dimensions, outermost first} */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** {@return the number of floats: the product of the dimensions} */
        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ParameterSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }
}
