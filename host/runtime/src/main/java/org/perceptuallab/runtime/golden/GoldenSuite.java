package org.perceptuallab.runtime.golden;

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
import java.util.regex.Pattern;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * A golden directory (cases.json, one .npz per case, weight files), and the one code path that checks a
 * catalogue against it: {@code plab golden} and the plugins' tests both call {@link #run}.
 */
public final class GoldenSuite {
    private static final List<String> NOT_DRAWS = List.of("x", "y", "expected");
    /** A text parameter that names a weight file (as the golden cases name them). */
    private static final Pattern FILE_NAME = Pattern.compile(".+\\.(pth|pt|bin|safetensors|npz)");
    private final Path dir;
    private final List<GoldenCase> cases;

    private GoldenSuite(Path dir, List<GoldenCase> cases) {
        this.dir = dir;
        this.cases = cases;
    }

    /** Reads {@code dir/cases.json}; weight files are looked up in {@code dir}. */
    public static GoldenSuite load(Path dir) {
        return load(dir, List.of());
    }

    /**
     * Reads {@code dir/cases.json}; the weight files the cases name are looked up in {@code dir}, then in
     * each of {@code fileFolders} (for files too large to keep beside the cases).
     */
    public static GoldenSuite load(Path dir, List<Path> fileFolders) {
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
            List<Path> folders = new ArrayList<>();
            folders.add(dir);
            folders.addAll(fileFolders);
            List<String> missing = resolveFiles(params, folders);
            cases.add(new GoldenCase(name, c.path("loss").asText(), params, dir.resolve(name + ".npz"), missing));
        }
        if (cases.isEmpty()) {
            throw new PlabException(index + " lists no cases");
        }
        return new GoldenSuite(dir, cases);
    }

    /**
     * Text values naming a file of one of the folders (weights) become absolute paths; returns the file
     * names found in none of them.
     */
    private static List<String> resolveFiles(ObjectNode params, List<Path> folders) {
        List<String> missing = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String text = e.getValue().isTextual() ? e.getValue().asText() : "";
            if (text.isEmpty()) {
                continue;
            }
            Path found = folders.stream().map(f -> f.resolve(text)).filter(Files::isRegularFile).findFirst()
                    .orElse(null);
            if (found != null) {
                e.setValue(params.textNode(found.toAbsolutePath().toString()));
            } else if (FILE_NAME.matcher(text).matches()) {
                missing.add(text);
            }
        }
        return missing;
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
     * Runs every case against the catalogue. A case whose loss is not installed, or whose weight file is in
     * none of the folders, is reported as such; a case whose loss throws is a failure carrying the message.
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
        if (!c.missingFiles().isEmpty()) {
            return new GoldenOutcome(c, GoldenOutcome.Status.MISSING_FILE, new double[0], new double[0],
                    Double.NaN, "missing " + String.join(", ", c.missingFiles()));
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
