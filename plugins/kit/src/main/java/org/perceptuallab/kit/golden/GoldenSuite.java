package org.perceptuallab.kit.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.catalog.LabContext;
import org.perceptuallab.kit.catalog.LossCatalog;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * A golden directory (cases.json, one .npz per case, weight files), and the one code path that checks a
 * catalogue against it: {@code plab golden} and the plugins' tests both call {@link #run}.
 */
public final class GoldenSuite {
    private static final List<String> NOT_DRAWS = List.of("x", "y", "expected");
    private final Path dir;
    private final List<GoldenCase> cases;

    private GoldenSuite(Path dir, List<GoldenCase> cases) {
        this.dir = dir;
        this.cases = cases;
    }

    /** Reads {@code dir/cases.json}. */
    public static GoldenSuite load(Path dir) {
        Path index = dir.resolve("cases.json");
        if (!Files.isRegularFile(index)) {
            throw new PlabException("no cases.json in " + dir.toAbsolutePath()
                    + "; a golden directory holds cases.json, one .npz per case and the weight files");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new PlabException("cannot parse " + index + ": " + e.getMessage(), e);
        }
        List<GoldenCase> cases = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            String name = c.path("case").asText();
            ObjectNode params = c.path("params").isObject() ? ((ObjectNode) c.get("params")).deepCopy()
                    : new ObjectMapper().createObjectNode();
            resolveFiles(params, dir);
            cases.add(new GoldenCase(name, c.path("loss").asText(), params, dir.resolve(name + ".npz")));
        }
        if (cases.isEmpty()) {
            throw new PlabException(index + " lists no cases");
        }
        return new GoldenSuite(dir, cases);
    }

    /** Text values naming a file of the directory (weights) become absolute paths. */
    private static void resolveFiles(ObjectNode params, Path dir) {
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                Path candidate = dir.resolve(e.getValue().asText());
                if (!e.getValue().asText().isEmpty() && Files.isRegularFile(candidate)) {
                    e.setValue(params.textNode(candidate.toAbsolutePath().toString()));
                }
            }
        }
    }

    /** The cases in file order. */
    public List<GoldenCase> cases() {
        return List.copyOf(cases);
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /**
     * Runs every case against the catalogue. A case whose loss is not installed is reported as such; a
     * case whose loss throws is a failure carrying the message.
     */
    public List<GoldenOutcome> run(LossCatalog catalog, NDManager manager) {
        List<GoldenOutcome> out = new ArrayList<>();
        for (GoldenCase c : cases) {
            out.add(run(c, catalog, manager));
        }
        return out;
    }

    /** Runs one case. */
    public GoldenOutcome run(GoldenCase c, LossCatalog catalog, NDManager manager) {
        if (catalog.families().find(c.lossId()).isEmpty()) {
            return new GoldenOutcome(c, GoldenOutcome.Status.NOT_INSTALLED, new double[0], new double[0],
                    Double.NaN, "no installed loss '" + c.lossId() + "'");
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> arrays = NumpyArrays.readNpz(scope, c.arrays());
            for (String required : NOT_DRAWS) {
                if (!arrays.containsKey(required)) {
                    throw new PlabException(c.arrays() + " has no array '" + required + "'");
                }
            }
            Map<String, NDArray> draws = new LinkedHashMap<>(arrays);
            NOT_DRAWS.forEach(draws::remove);
            double[] expected = arrays.get("expected").toType(DataType.FLOAT64, false).toDoubleArray();
            LabContext context = new LabContext(scope, 0, draws, catalog, null);
            double[] actual;
            try (Loss loss = catalog.create(new LossSpec(c.lossId(), c.params()), context)) {
                actual = loss.distance(arrays.get("x"), arrays.get("y"))
                        .toType(DataType.FLOAT64, false).toDoubleArray();
            }
            return compare(c, expected, actual);
        } catch (RuntimeException e) {
            return new GoldenOutcome(c, GoldenOutcome.Status.FAILED, new double[0], new double[0], Double.NaN,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static GoldenOutcome compare(GoldenCase c, double[] expected, double[] actual) {
        if (expected.length != actual.length) {
            return new GoldenOutcome(c, GoldenOutcome.Status.FAILED, expected, actual, Double.NaN,
                    "expected " + expected.length + " values, got " + actual.length);
        }
        double worst = 0;
        boolean ok = true;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            double rel = diff / Math.max(Math.abs(expected[i]), Double.MIN_NORMAL);
            worst = Math.max(worst, expected[i] == 0 ? diff : rel);
            if (!(diff <= c.absoluteTolerance() || rel <= c.relativeTolerance())) {
                ok = false;
            }
        }
        return new GoldenOutcome(c, ok ? GoldenOutcome.Status.PASSED : GoldenOutcome.Status.FAILED,
                expected, actual, worst, ok ? "" : "relative error above " + c.relativeTolerance());
    }
}
