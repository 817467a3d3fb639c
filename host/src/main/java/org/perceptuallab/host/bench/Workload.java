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
 * A benchmark workload: {@code NAME@NxCxS}, a loss's forward and backward on two random (N, C, S, S) batches in
 * [-1, 1]; or {@code EXPERIMENT:NAME@NxS}, a whole cell of an experiment ({@link #EXPERIMENTS}) with that loss
 * on N items (2AFC triplets, image-mean targets) of S x S, timed as a matrix times a cell. NAME is a loss id
 * (defaults plus any overrides) or a preset of the reference table, which also gives the reference time and
 * the target ratio.
 *
 * @param name the workload name
 * @param experiment the experiment of a whole-cell workload, or null: the loss alone
 * @param spec the loss
 * @param shape the batch shape (N, C, S, S); a cell's items are (N, 3, S, S)
 * @param referenceSeconds the reference implementation's median, or NaN
 * @param targetRatio the largest acceptable time / reference, or NaN
 */
public record Workload(String name, String experiment, LossSpec spec, Shape shape, double referenceSeconds,
                       double targetRatio) {
    /** The experiments a whole-cell workload may name. */
    public static final java.util.List<String> EXPERIMENTS = java.util.List.of("2afc", "image-mean");
    private static final Pattern NAME = Pattern.compile("(?:([a-z0-9-]+):)?([A-Za-z0-9_+.-]+)@(\\d+)x(\\d+)(?:x(\\d+))?");
    private static final String TABLE = "/org/perceptuallab/host/bench-workloads.json";
    /** The most elements a workload's batch may hold: 2^31 - 1 (8 GiB of float32, per batch). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    /** The reference workloads, in table order. */
    public static Map<String, Workload> references() {
        Map<String, Workload> out = new LinkedHashMap<>();
        try (InputStream in = Workload.class.getResourceAsStream(TABLE)) {
            for (JsonNode w : new ObjectMapper().readTree(in)) {
                String name = w.get("name").asText();
                Matcher m = matcher(name);
                LossSpec spec = LossSpec.parse("bench workload " + name + " ", w.get("loss"));
                out.put(name, new Workload(name, m.group(1), spec, shape(m), w.path("referenceSeconds").asDouble(Double.NaN),
                        w.path("targetRatio").asDouble(Double.NaN)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable " + TABLE, e);
        }
        return out;
    }

    /**
     * Parses a workload name. A reference name gives its preset; an alias of a reference (same loss name,
     * another shape or experiment) reuses its loss; otherwise NAME is a loss id. {@code overrides} are merged
     * into the loss's params.
     */
    public static Workload parse(String text, ObjectNode overrides) {
        Matcher m = matcher(text);
        Map<String, Workload> refs = references();
        Workload ref = refs.get(text);
        LossSpec spec = ref != null ? ref.spec() : refs.values().stream()
                .filter(w -> w.name().replaceFirst("^[a-z0-9-]+:", "").startsWith(m.group(2) + "@"))
                .map(Workload::spec).findFirst().orElse(LossSpec.of(m.group(2)));
        ObjectNode params = spec.params().deepCopy();
        params.setAll(overrides);
        return new Workload(text, m.group(1), new LossSpec(spec.id(), params), shape(m),
                ref == null || !overrides.isEmpty() ? Double.NaN : ref.referenceSeconds(),
                ref == null || !overrides.isEmpty() ? Double.NaN : ref.targetRatio());
    }

    private static Matcher matcher(String text) {
        Matcher m = NAME.matcher(text);
        boolean cell = m.matches() && m.group(1) != null;
        if (!m.matches() || cell != (m.group(5) == null)) {
            throw new PlabException("workload '" + text + "' is not of the form LOSS@NxCxS (a loss, e.g. l2@8x3x128)"
                    + " or EXPERIMENT:LOSS@NxS (a whole cell, e.g. 2afc:l2@6000x64 or image-mean:vgg@8x64)");
        }
        if (cell && !EXPERIMENTS.contains(m.group(1))) {
            throw new PlabException("workload '" + text + "': no whole-cell workload of experiment '" + m.group(1)
                    + "'; the experiments: " + String.join(", ", EXPERIMENTS));
        }
        return m;
    }

    /**
     * The batch shape (N, C, S, S): each size at least 1 and the whole at most {@link #MAX_ELEMENTS}
     * elements, checked before anything is allocated (the digits may overflow a long, their product too).
     */
    private static Shape shape(Matcher m) {
        boolean cell = m.group(5) == null;
        String[] sizes = cell ? new String[] {m.group(3), "3", m.group(4), m.group(4)}
                : new String[] {m.group(3), m.group(4), m.group(5), m.group(5)};
        long[] dims = new long[4];
        long elements = 1;
        for (int i = 0; i < 4; i++) {
            // Ten digits always fit a long; a longer size is beyond any budget anyway.
            dims[i] = sizes[i].length() > 10 ? Long.MAX_VALUE : Long.parseLong(sizes[i]);
            elements = dims[i] == 0 ? 0 : elements > MAX_ELEMENTS / dims[i] ? MAX_ELEMENTS + 1 : elements * dims[i];
        }
        if (elements < 1 || elements > MAX_ELEMENTS) {
            throw new PlabException("workload '" + m.group() + "': a batch of " + String.join(" x ", sizes)
                    + (elements < 1 ? " is empty; every size must be at least 1" : " has more than " + MAX_ELEMENTS
                    + " elements; give a smaller N, C or S"));
        }
        return new Shape(dims);
    }
}
