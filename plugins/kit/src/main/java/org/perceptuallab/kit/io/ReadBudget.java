package org.perceptuallab.kit.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.perceptuallab.api.PlabException;

/**
 * The most a reader of a user's file may take: tensor elements and image pixels, checked from the file's
 * header before anything is allocated, and bytes read or inflated, counted as they arrive. A small hostile
 * file (a zip bomb, a header declaring 20000 x 20000 pixels or a negative shape) is thus refused in a few
 * kilobytes of memory, as bad input naming the file. Each default lies far above any real study's file;
 * the system property {@code plab.limit.<name>} sets another (the host passes these properties on to its
 * worker processes).
 */
public final class ReadBudget {
    private ReadBudget() {
    }

    /** One budget: its property name, default and unit. */
    public enum Limit {
        /**
         * Elements of one tensor: 2^27 = 134,217,728 (512 MiB of float32). The largest weight of the networks
         * read here, VGG16's first classifier layer, has 102,760,448; a batch of 32 RGB images of 1024 x 1024
         * has 100,663,296.
         */
        TENSOR_ELEMENTS("tensorElements", 1L << 27, "elements"),
        /** Pixels of one image: 2^26 (8192 x 8192); a 50-megapixel camera photo has 50,320,896. */
        IMAGE_PIXELS("imagePixels", 1L << 26, "pixels"),
        /**
         * Bytes one zip entry inflates to: 2^29 = 536,870,912 (a float32 tensor at the element limit).
         * VGG16's largest storage holds 411,041,792.
         */
        ZIP_ENTRY_BYTES("zipEntryBytes", 1L << 29, "bytes"),
        /**
         * Bytes in one file, inflated ones included: 2^30 = 1,073,741,824. torchvision's VGG16 weights, the
         * largest file a loss here reads, hold about 553 MB (138 million float32 parameters); AlexNet's about
         * 244 MB, LPIPS's a few KB.
         */
        FILE_BYTES("fileBytes", 1L << 30, "bytes");

        private final String name;
        private final long byDefault;
        private final String unit;

        Limit(String name, long byDefault, String unit) {
            this.name = name;
            this.byDefault = byDefault;
            this.unit = unit;
        }

        /** The system property that sets this limit, {@code plab.limit.<name>}. */
        public String property() {
            return "plab.limit." + name;
        }

        /** The default, used when the property is not set. */
        public long byDefault() {
            return byDefault;
        }

        /**
         * The limit in force: the property's value, read on every check so that a setting made after start
         * counts.
         *
         * @throws PlabException when the property is set but not a positive whole number
         */
        public long value() {
            String raw = System.getProperty(property());
            if (raw == null) {
                return byDefault;
            }
            try {
                long value = Long.parseLong(raw.trim());
                if (value > 0) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // refused below, naming the property
            }
            throw new PlabException("the system property " + property() + " is '" + raw + "'; give a positive"
                    + " whole number of " + unit + " (its default is " + byDefault + ")");
        }

        /**
         * Refuses {@code figure} above the limit.
         *
         * @param file the file read, named in the message
         * @param what what was counted, e.g. {@code "a tensor of shape [3, 4]"}
         */
        public void check(Object file, String what, long figure) {
            long limit = value();
            if (figure > limit) {
                throw exceeded(file, what, figure + " " + unit, limit);
            }
        }

        /** The refusal of {@code file}, where {@code what} holds {@code figure} (with its unit), over the limit. */
        PlabException exceeded(Object file, String what, String figure, long limit) {
            return new PlabException(file + ": " + what + " holds " + figure + "; the limit is " + limit + " " + unit
                    + " (" + property() + "). The file is damaged or hostile; if you trust it and have the memory,"
                    + " raise the limit with -D" + property() + "=N (for example in JAVA_TOOL_OPTIONS)");
        }
    }

    /**
     * The element count of a tensor of {@code shape}, computed without overflow before anything is
     * allocated: a negative dimension is refused as damage, a count above {@link Limit#TENSOR_ELEMENTS} (an
     * overflowing product included) as over budget.
     */
    public static long elements(Object file, long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new PlabException(file + ": a tensor of shape " + Arrays.toString(shape) + " has a negative"
                        + " dimension; the file is damaged");
            }
        }
        if (Arrays.stream(shape).anyMatch(d -> d == 0)) {
            return 0;
        }
        long count = 1;
        for (long d : shape) {
            if (count > Long.MAX_VALUE / d) {
                throw Limit.TENSOR_ELEMENTS.exceeded(file, "a tensor of shape " + Arrays.toString(shape),
                        "more than " + Long.MAX_VALUE + " elements", Limit.TENSOR_ELEMENTS.value());
            }
            count *= d;
        }
        Limit.TENSOR_ELEMENTS.check(file, "a tensor of shape " + Arrays.toString(shape), count);
        return count;
    }

    /**
     * {@code in}, ending in a refusal once {@code counted} (bytes already counted against this limit, as a
     * file's earlier entries are) plus the bytes that came through pass {@code limit}.
     *
     * @param what what the bytes are, e.g. {@code "its entry data/0"}
     */
    public static InputStream bounded(InputStream in, Object file, String what, Limit limit, long counted) {
        return new Bounded(in, file, what, limit, counted);
    }

    private static final class Bounded extends FilterInputStream {
        private final Object file;
        private final String what;
        private final Limit limit;
        private final long max;
        private long count;

        Bounded(InputStream in, Object file, String what, Limit limit, long counted) {
            super(in);
            this.file = file;
            this.what = what;
            this.limit = limit;
            this.max = limit.value();
            this.count = counted;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) {
            count += n;
            if (count > max) {
                throw limit.exceeded(file, what, "more than " + max + " bytes", max);
            }
        }
    }
}
