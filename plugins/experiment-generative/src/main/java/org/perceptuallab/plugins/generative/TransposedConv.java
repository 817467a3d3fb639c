package org.perceptuallab.plugins.generative;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/**
 * Transposed 2-D convolution, which DJL's PyTorch engine lacks ({@code Conv2dTranspose} throws "Not
 * implemented"). Of the two routes TECH-NOTES 2 and 4 measure, both exact, this takes the faster: aten's own
 * {@code conv_transpose2d} through a tiny TorchScript module written here (no Python, no file on disk),
 * 0.32 s for a DCGAN-64 generator's forward and backward at batch 64 against 1.56 s for zero insertion and
 * a convolution. Gradients flow to the input and the weight. One module per (stride, padding), loaded on
 * first use; {@link #close()} releases them. Layers with few input channels take the kit's exact route
 * instead ({@link Ops#engineKernelUnreliable}).
 */
final class TransposedConv implements AutoCloseable {
    /** TorchScript's pickled module object: class {@code __torch__.IValueProcessing}, training = True. */
    private static final byte[] DATA_PKL = ("\u0080\u0002c__torch__\nIValueProcessing\nq\u0000)\u0081}(X\b\u0000\u0000"
            + "\u0000trainingq\u0001\u0088X\u0016\u0000\u0000\u0000_is_full_backward_hookq\u0002Nubq\u0003.")
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONSTANTS_PKL = "\u0080\u0002).".getBytes(StandardCharsets.ISO_8859_1);
    private static final String CODE = """
            class IValueProcessing(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              _is_full_backward_hook : Optional[bool]
              def forward(self: __torch__.IValueProcessing,
                x: Tensor,
                w: Tensor) -> Tensor:
                return torch.conv_transpose2d(x, w, None, [%1$d, %1$d], [%2$d, %2$d], [0, 0], 1, [1, 1])
            """;

    private final NDManager manager;
    private final Map<String, Model> modules = new LinkedHashMap<>();

    /** Modules load into {@code manager}'s device and engine. */
    TransposedConv(NDManager manager) {
        this.manager = manager;
    }

    /**
     * The transposed convolution of x (N, Cin, H, W) with weight (Cin, Cout, k, k), no bias: output
     * (N, Cout, (H - 1) stride - 2 padding + k, ...), as torch's {@code conv_transpose2d}. The output joins
     * x's manager.
     */
    NDArray apply(NDArray x, NDArray weight, int stride, int padding) {
        Shape in = x.getShape();
        if (in.get(2) == 1 && in.get(3) == 1 && stride == 1 && padding == 0) {
            // a code to the first 4x4 stage is a matrix product; aten's transposed convolution of a 1x1 input
            // took 182 ms of a DCGAN-64 generator's ~500 ms forward and backward at batch 64 (torch 2.13, one
            // thread), the product a tenth of that
            Shape w = weight.getShape();
            NDArray flatWeight = weight.reshape(w.get(0), -1);
            flatWeight.attach(x.getManager());
            return x.reshape(in.get(0), in.get(1)).matMul(flatWeight).reshape(in.get(0), w.get(1), w.get(2), w.get(3));
        }
        if (Ops.engineKernelUnreliable(x, x.getShape().get(1))) {
            return Ops.convTranspose2d(x, weight, stride, padding);
        }
        Model module = modules.computeIfAbsent(stride + "/" + padding, key -> load(stride, padding));
        return module.getBlock().forward(new ParameterStore(x.getManager(), false), new NDList(x, weight), true)
                .singletonOrThrow();
    }

    private Model load(int stride, int padding) {
        String name = "conv_transpose_s" + stride + "_p" + padding;
        Model model = Model.newInstance(name, manager.getDevice(), manager.getEngine().getEngineName());
        try {
            model.load(new ByteArrayInputStream(archive(name, CODE.formatted(stride, padding))));
        } catch (IOException | MalformedModelException e) {
            model.close();
            throw new PlabException("the engine " + manager.getEngine().getEngineName() + " cannot load the"
                    + " TorchScript transposed convolution (" + e.getMessage() + "); the generative experiments need"
                    + " the PyTorch engine", e);
        }
        return model;
    }

    /** A TorchScript archive (zip, entries stored) holding one module whose forward is {@code code}. */
    static byte[] archive(String name, String code) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, name + "/data.pkl", DATA_PKL);
            stored(zip, name + "/constants.pkl", CONSTANTS_PKL);
            stored(zip, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, name + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    // The TorchScript reader takes uncompressed entries.
    private static void stored(ZipOutputStream zip, String entryName, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(entryName);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    @Override
    public void close() {
        modules.values().forEach(Model::close);
        modules.clear();
    }
}
