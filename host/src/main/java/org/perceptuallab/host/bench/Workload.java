package org.perceptuallab.host.bench;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;

/**
 * A benchmark workload {@code NAME@NxCxS}: a loss on two random (N, C, S, S) batches in [-1, 1]. NAME is a
 * loss id (defaults plus any overrides) or a preset of the reference table, which also gives the reference
 * PyTorch time and the target ratio.
 *
 * @param name the workload name
 * @param spec the loss
 * @param shape the batch shape
 * @param referenceSeconds the reference implementation's median, or NaN
 * @param targetRatio the largest acceptable time / reference, or NaN
 */
public record Workload(String name, LossSpec spec, Shape shape, double referenceSeconds, double targetRatio) {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9_+.-]+)@(\\d+)x(\\d+)x(\\d+)");
    private static final String TABLE = "/org/perceptuallab/host/bench-workloads.json";

    /** The reference workloads, in table order. */
    public static Map<String, Workload> references() {
        Map<String, Workload> out = new LinkedHashMap<>();
        try (InputStream in = Workload.class.getResourceAsStream(TABLE)) {
            for (JsonNode w : new ObjectMapper().readTree(in)) {
                String name = w.get("name").asText();
                Matcher m = matcher(name);
                LossSpec spec = LossSpec.parse("bench workload " + name + " ", w.get("loss"));
                out.put(name, new Workload(name, spec, shape(m), w.path("referenceSeconds").asDouble(Double.NaN),
                        w.path("targetRatio").asDouble(Double.NaN)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable " + TABLE, e);
        }
        return out;
    }

    /**
     * Parses a workload name. A reference name gives its preset; an alias of a reference (same loss name,
     * another shape) reuses its loss; otherwise NAME is a loss id. {@code overrides} are merged into the
     * loss's params.
     */
    public static Workload parse(String text, ObjectNode overrides) {
        Matcher m = matcher(text);
        Map<String, Workload> refs = references();
        Workload ref = refs.get(text);
        LossSpec spec = ref != null ? ref.spec() : refs.values().stream()
                .filter(w -> w.name().startsWith(m.group(1) + "@")).map(Workload::spec).findFirst()
                .orElse(LossSpec.of(m.group(1)));
        ObjectNode params = spec.params().deepCopy();
        params.setAll(overrides);
        return new Workload(text, new LossSpec(spec.id(), params), shape(m),
                ref == null || !overrides.isEmpty() ? Double.NaN : ref.referenceSeconds(),
                ref == null || !overrides.isEmpty() ? Double.NaN : ref.targetRatio());
    }

    private static Matcher matcher(String text) {
        Matcher m = NAME.matcher(text);
        if (!m.matches()) {
            throw new PlabException("workload '" + text + "' is not of the form LOSS@NxCxS, e.g. l2@8x3x128");
        }
        return m;
    }

    private static Shape shape(Matcher m) {
        long s = Long.parseLong(m.group(4));
        return new Shape(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), s, s);
    }
}
