package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.perceptuallab.kit.tensor.Draws;

/** How the networks' weights start (parameter {@code init}). */
enum Init {
    /**
     * The reference's: Xavier-normal with gain sqrt(2), std = sqrt(2) sqrt(2 / (fan in + fan out)), for
     * convolution, transposed convolution and linear weights; batch norm at torch's defaults (scale 1, shift 0).
     */
    XAVIER,
    /** DCGAN's (Radford et al. 2016): weights N(0, 0.02), batch-norm scales N(1, 0.02), shifts 0. */
    DCGAN;

    static final List<String> NAMES = List.of("xavier", "dcgan");
    private static final double XAVIER_GAIN = Math.sqrt(2);
    private static final double DCGAN_STD = 0.02;

    static Init named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * A weight of {@code shape} drawn from {@code draws}; {@code fanSum} is its fan in plus fan out (for a
     * k x k convolution, (in + out) k^2, whichever way round its layout puts the channels).
     */
    NDArray weight(Draws draws, NDManager owner, Shape shape, long fanSum) {
        double std = this == XAVIER ? XAVIER_GAIN * Math.sqrt(2.0 / fanSum) : DCGAN_STD;
        return draws.normal(owner, shape).muli(std);
    }

    /** A batch norm's scales over {@code channels}; XAVIER draws nothing for them. */
    NDArray batchNormScale(Draws draws, NDManager owner, long channels) {
        Shape shape = new Shape(channels);
        return this == XAVIER ? owner.ones(shape) : draws.normal(owner, shape).muli(DCGAN_STD).addi(1);
    }
}
