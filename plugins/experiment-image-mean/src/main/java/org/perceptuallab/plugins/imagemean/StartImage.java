package org.perceptuallab.plugins.imagemean;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.perceptuallab.api.PlabException;

/**
 * The start image of the optimisation from a start mode. Terms combine with '+', applied left to right:
 * {@code mean} (the pixel mean of the targets), {@code gray} (a flat image at the targets' mean
 * intensity), {@code zeros} (0, mid-grey) and {@code split} (vertical strips taken from successive
 * targets) set the image; {@code blur} (Gaussian) and {@code noise} (plus N(0, sigma)) change the image
 * so far, which is the pixel mean when they come first. The result is clipped to [-1, 1].
 */
final class StartImage {
    static final List<String> MODES = List.of("mean", "gray", "zeros", "split", "blur", "noise");

    private StartImage() {
    }

    /** Checks a start mode, naming the bad term. */
    static void check(String mode) {
        for (String term : terms(mode)) {
            if (!MODES.contains(term)) {
                throw new PlabException("experiment 'image-mean': parameter 'startMode' has unknown term '" + term
                        + "' in '" + mode + "'; use one or more of " + String.join(", ", MODES)
                        + " joined by '+', for example 'mean+noise'");
            }
        }
    }

    static Planes build(String mode, List<Planes> targets, double blurSigma, double noiseSigma, long seed) {
        check(mode);
        Planes image = pixelMean(targets);
        Random random = new Random(seed);
        for (String term : terms(mode)) {
            image = switch (term) {
                case "mean" -> pixelMean(targets);
                case "gray" -> flat(targets.get(0), mean(pixelMean(targets).v()));
                case "zeros" -> flat(targets.get(0), 0f);
                case "split" -> split(targets);
                case "blur" -> image.blur(blurSigma);
                case "noise" -> noisy(image, noiseSigma, random);
                default -> throw new IllegalStateException(term);
            };
        }
        return image.clip();
    }

    static Planes pixelMean(List<Planes> targets) {
        Planes first = targets.get(0);
        float[] sum = new float[first.v().length];
        for (Planes t : targets) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += t.v()[i];
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= targets.size();
        }
        return new Planes(first.c(), first.h(), first.w(), sum);
    }

    private static String[] terms(String mode) {
        return mode.toLowerCase(Locale.ROOT).trim().split("\\s*\\+\\s*");
    }

    private static float mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return (float) (s / v.length);
    }

    private static Planes flat(Planes like, float value) {
        float[] v = new float[like.v().length];
        java.util.Arrays.fill(v, value);
        return new Planes(like.c(), like.h(), like.w(), v);
    }

    private static Planes split(List<Planes> targets) {
        Planes first = targets.get(0);
        Planes out = Planes.zeros(first.c(), first.h(), first.w());
        int strips = Math.min(targets.size(), first.w());
        for (int ch = 0; ch < first.c(); ch++) {
            for (int y = 0; y < first.h(); y++) {
                for (int x = 0; x < first.w(); x++) {
                    int i = (ch * first.h() + y) * first.w() + x;
                    out.v()[i] = targets.get(x * strips / first.w()).v()[i];
                }
            }
        }
        return out;
    }

    private static Planes noisy(Planes image, double sigma, Random random) {
        Planes out = image.copy();
        for (int i = 0; i < out.v().length; i++) {
            out.v()[i] += (float) (sigma * random.nextGaussian());
        }
        return out;
    }
}
