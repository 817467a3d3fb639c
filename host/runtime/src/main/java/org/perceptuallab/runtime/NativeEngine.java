package org.perceptuallab.runtime;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Switches of the PyTorch engine that DJL does not expose, set once per process after the engine starts,
 * so that every machine runs the same native paths and says nothing in its own words:
 * <ul>
 *   <li><b>NNPACK off.</b> Where it cannot start (AMD Zen 5: "Unsupported hardware") libtorch logs a warning
 *       at every convolution that consults it (240,816 lines in one quick matrix); where it starts it takes
 *       batches of 16 or more, with its own rounding. Off, every machine takes the same route.</li>
 *   <li><b>The engine's log level</b>: errors only, warnings too with {@code --verbose}.</li>
 * </ul>
 * Applied by the host when it starts the engine and by the test kit before the first test. (oneDNN stays on:
 * without it VGG is four times slower; the convolutions whose oneDNN gradient is wrong on some CPUs go
 * around it in the kit's {@code Ops.conv2d}.)
 */
public final class NativeEngine {
    /** c10's log levels (FLAGS_caffe2_log_level): 1 warning, 2 error. */
    private static final int LOG_WARNING = 1;
    private static final int LOG_ERROR = 2;
    private static String applied;

    private NativeEngine() {
    }

    /**
     * Starts the PyTorch engine if needed and applies the switches once per process.
     *
     * @param verbose whether the engine's own warnings reach the user
     * @return what was applied, in words, or why nothing was
     */
    public static synchronized String configure(boolean verbose) {
        if (applied == null) {
            applied = apply(verbose);
        }
        return applied;
    }

    private static String apply(boolean verbose) {
        Engine engine = Engine.getEngine("PyTorch");
        Path libraries = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        Path torch = libraries.resolve(System.mapLibraryName("torch_cpu"));
        Path c10 = libraries.resolve(System.mapLibraryName("c10"));
        if (!Files.isRegularFile(torch) || !Files.isRegularFile(c10)) {
            return "engine switches not applied: no " + torch.getFileName() + " in " + libraries;
        }
        try {
            NativeLibrary torchLibrary = NativeLibrary.getInstance(torch.toString());
            Pointer context = torchLibrary.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torchLibrary.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb")
                    .invokeVoid(new Object[] {context, false});
            NativeLibrary.getInstance(c10.toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level")
                    .setInt(0, verbose ? LOG_WARNING : LOG_ERROR);
            return "NNPACK off, engine log level " + (verbose ? "warning" : "error")
                    + " (" + engine.getEngineName() + " " + engine.getVersion() + ")";
        } catch (UnsatisfiedLinkError e) {
            return "engine switches not applied: " + e.getMessage();
        }
    }
}
