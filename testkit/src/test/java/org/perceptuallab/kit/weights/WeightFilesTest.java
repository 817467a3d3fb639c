package org.perceptuallab.kit.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/**
 * Every file of golden/pth-formats against what torch.load gave (keys in order, dtypes, shapes, exact
 * values), and the golden VGG16 head files (non-contiguous strides, skipped classifier) against the
 * contiguous full file.
 */
class WeightFilesTest extends CatalogTest {
    @TestFactory
    Stream<DynamicTest> everyPthFormatFile() throws IOException {
        Path dir = Fixtures.golden().resolve("pth-formats");
        JsonNode index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
        List<JsonNode> entries = new ArrayList<>();
        index.forEach(entries::add);
        try (Stream<Path> files = Files.list(dir)) {
            long pthFiles = files.filter(p -> p.toString().endsWith(".pth")).count();
            assertThat(entries).hasSize((int) pthFiles);
        }
        return entries.stream().map(e -> DynamicTest.dynamicTest(e.get("file").asText(), () -> {
            Path file = dir.resolve(e.get("file").asText());
            String stem = file.getFileName().toString().replace(".pth", "");
            assertThat(WeightFiles.detect(file).name()).isEqualTo(
                    e.get("format").asText().equals("zip") ? "TORCH_ZIP" : "TORCH_LEGACY");
            try (NDManager scope = manager.newSubManager()) {
                Map<String, NDArray> actual = WeightFiles.read(file, scope, k -> true);
                Map<String, NDArray> expected = NumpyArrays.readNpz(scope, dir.resolve(stem + ".expected.npz"));
                List<String> keys = new ArrayList<>();
                e.get("tensors").fieldNames().forEachRemaining(keys::add);
                assertThat(actual.keySet()).containsExactlyElementsOf(keys);
                for (String key : keys) {
                    JsonNode spec = e.get("tensors").get(key);
                    NDArray a = actual.get(key);
                    assertThat(a.getShape().getShape()).as(key)
                            .containsExactly(longs(spec.get(1)));
                    assertThat(numpyName(a.getDataType())).as(key).isEqualTo(engineType(spec.get(0).asText()));
                    NDArray want = expected.get(key);
                    assertThat(bytes(a.toType(want.getDataType(), false))).as(key).isEqualTo(bytes(want));
                }
            }
        }));
    }

    @Test
    void headFilesHonourStridesAndSkipTheClassifier() {
        Path full = Fixtures.external("golden/vgg16-features.pth");
        for (String head : List.of("vgg16-head-zip.pth", "vgg16-head-legacy.pth")) {
            try (NDManager scope = manager.newSubManager()) {
                Map<String, NDArray> got = WeightFiles.read(Fixtures.golden().resolve(head), scope,
                        k -> k.startsWith("features."));
                assertThat(got.keySet()).as(head).containsExactly("features.0.weight", "features.0.bias",
                        "features.2.weight", "features.2.bias", "features.5.weight", "features.5.bias",
                        "features.7.weight", "features.7.bias");
                Map<String, NDArray> reference = WeightFiles.readKeys(full, scope, got.keySet());
                got.forEach((k, v) -> assertThat(bytes(v)).as(head + " " + k).isEqualTo(bytes(reference.get(k))));
            }
        }
    }

    @Test
    void missingKeyNamesKeyAndFile() {
        Path head = Fixtures.golden().resolve("vgg16-head-legacy.pth");
        assertThatThrownBy(() -> WeightFiles.readKeys(head, manager, List.of("features.0.weight",
                "features.28.weight")))
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("features.28.weight").hasMessageContaining("vgg16-head-legacy.pth");
    }

    @Test
    void safetensorsAndNpzReadTheSameWeights(@TempDir Path tmp) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> pth = WeightFiles.read(Fixtures.golden().resolve("vgg16-head-zip.pth"), scope,
                    k -> k.startsWith("features.0"));
            NDList list = new NDList();
            pth.forEach((k, v) -> {
                NDArray copy = v.duplicate();
                copy.setName(k);
                list.add(copy);
            });
            for (NDList.Encoding encoding : List.of(NDList.Encoding.SAFETENSORS, NDList.Encoding.NPZ)) {
                Path file = tmp.resolve("w." + encoding.name().toLowerCase());
                try (OutputStream out = Files.newOutputStream(file)) {
                    list.encode(out, encoding);
                }
                assertThat(WeightFiles.detect(file).name()).isEqualTo(encoding.name());
                Map<String, NDArray> got = WeightFiles.read(file, scope, k -> k.endsWith("weight"));
                assertThat(got.keySet()).containsExactly("features.0.weight");
                assertThat(bytes(got.get("features.0.weight"))).isEqualTo(bytes(pth.get("features.0.weight")));
            }
        }
    }

    @Test
    void unknownContentIsAClearError(@TempDir Path tmp) throws IOException {
        Path junk = Files.writeString(tmp.resolve("weights.bin"), "not weights at all");
        assertThatThrownBy(() -> WeightFiles.read(junk, manager, k -> true))
                .isInstanceOf(PlabException.class).hasMessageContaining("weights.bin");
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** The engine lacks bfloat16 and int16; the reader widens them exactly. */
    private static String engineType(String torchType) {
        return switch (torchType) {
            case "bfloat16" -> "float32";
            case "int16" -> "int32";
            default -> torchType;
        };
    }

    private static String numpyName(DataType t) {
        return switch (t) {
            case FLOAT32 -> "float32";
            case FLOAT64 -> "float64";
            case FLOAT16 -> "float16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOLEAN -> "bool";
            default -> t.name();
        };
    }

    private static byte[] bytes(NDArray a) {
        ByteBuffer b = a.toByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
