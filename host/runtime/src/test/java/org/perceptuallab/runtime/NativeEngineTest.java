package org.perceptuallab.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process whose engine the host configured prints no native warning line: here (AMD Zen 5) libtorch
 * logs "Could not initialize NNPACK" at every convolution that consults NNPACK, which every float64 and
 * every small float32 convolution does. The process is a child JVM, since native lines go to its own
 * standard error, which only a parent sees.
 */
class NativeEngineTest {
    @Test
    void convolutionsPrintNoNativeWarningOnceTheEngineIsConfigured() throws Exception {
        Child quiet = Child.run("configured");
        assertThat(quiet.exit()).as(quiet.output()).isZero();
        assertThat(quiet.output()).contains("convolved 20 times")
                .doesNotContain("NNPACK").doesNotContainPattern("(?m)^\\[W");
        Child plain = Child.run("plain");
        assertThat(plain.exit()).as(plain.output()).isZero();
        System.out.printf("native warning lines without the switches here: %d%n",
                plain.output().lines().filter(l -> l.startsWith("[W")).count());
    }

    @Test
    void configuringTwiceAppliesOnce() {
        String first = NativeEngine.configure(false);
        assertThat(first).startsWith("NNPACK off, engine log level error");
        assertThat(NativeEngine.configure(true)).isSameAs(first);
    }

    /** What a child JVM printed, stdout and stderr together, and its exit code. */
    record Child(int exit, String output) {
        static Child run(String mode) throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    ConvolveTwentyTimes.class.getName(), mode)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Child(p.exitValue(), out);
        }
    }

    /** Twenty float64 convolutions, after configuring the engine unless told "plain". */
    public static final class ConvolveTwentyTimes {
        public static void main(String[] args) {
            System.setProperty("ai.djl.offline", "true");
            if (!args[0].equals("plain")) {
                NativeEngine.configure(false);
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.ones(new Shape(1, 1, 8, 8), DataType.FLOAT64);
                NDArray w = m.ones(new Shape(1, 1, 3, 3), DataType.FLOAT64);
                for (int i = 0; i < 20; i++) {
                    Conv2d.conv2d(x, w).singletonOrThrow().close();
                }
            }
            System.out.println("convolved 20 times");
        }
    }
}
