package org.perceptuallab.plugins.imagemean;

/**
 * Images as plain float arrays (C, H, W) in [-1, 1], for the work that needs no autograd: building
 * start images, resampling between pyramid levels, measuring sharpness.
 *
 * @param c channels
 * @param h height
 * @param w width
 * @param v values, channel-major
 */
record Planes(int c, int h, int w, float[] v) {

    static Planes zeros(int c, int h, int w) {
        return new Planes(c, h, w, new float[c * h * w]);
    }

    float at(int ch, int y, int x) {
        return v[(ch * h + y) * w + x];
    }

    Planes copy() {
        return new Planes(c, h, w, v.clone());
    }

    /** Clips every value to [-1, 1] in place. */
    Planes clip() {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-1f, Math.min(1f, v[i]));
        }
        return this;
    }

    /** Gaussian blur with reflected borders (separable, radius ceil(2 sigma)). */
    Planes blur(double sigma) {
        int r = Math.max(1, (int) Math.ceil(2 * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] tmp = new float[v.length];
        float[] out = new float[v.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) {
                        s += k[i + r] * at(ch, y, reflect(x + i, w));
                    }
                    tmp[(ch * h + y) * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) {
                        s += k[i + r] * tmp[(ch * h + reflect(y + i, h)) * w + x];
                    }
                    out[(ch * h + y) * w + x] = (float) s;
                }
            }
        }
        return new Planes(c, h, w, out);
    }

    /** Bilinear resampling to (newH, newW), pixel centres aligned. */
    Planes resize(int newH, int newW) {
        float[] out = new float[c * newH * newW];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < newH; y++) {
                double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / newH - 0.5));
                int y0 = (int) Math.floor(sy);
                int y1 = Math.min(h - 1, y0 + 1);
                double fy = sy - y0;
                for (int x = 0; x < newW; x++) {
                    double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / newW - 0.5));
                    int x0 = (int) Math.floor(sx);
                    int x1 = Math.min(w - 1, x0 + 1);
                    double fx = sx - x0;
                    double top = at(ch, y0, x0) * (1 - fx) + at(ch, y0, x1) * fx;
                    double bottom = at(ch, y1, x0) * (1 - fx) + at(ch, y1, x1) * fx;
                    out[(ch * newH + y) * newW + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return new Planes(c, newH, newW, out);
    }

    /**
     * Sharpness: the mean gradient magnitude sqrt(dx^2 + dy^2) over pixels and channels, forward
     * differences. A blurry mean scores low, a crisp image high.
     */
    double meanGradientMagnitude() {
        double sum = 0;
        long n = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h - 1; y++) {
                for (int x = 0; x < w - 1; x++) {
                    double dx = at(ch, y, x + 1) - at(ch, y, x);
                    double dy = at(ch, y + 1, x) - at(ch, y, x);
                    sum += Math.sqrt(dx * dx + dy * dy);
                    n++;
                }
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }
}
