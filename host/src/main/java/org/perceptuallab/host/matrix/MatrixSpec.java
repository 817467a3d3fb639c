package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.StrictYaml;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.LoadedPlugins;
import org.perceptuallab.host.provenance.PluginJar;
import org.perceptuallab.runtime.catalog.DidYouMean;

/**
 * A matrix file (YAML or JSON): the experiments with their params and data, the losses ({@code all}
 * installed, or a list with params and display names), the seed, the device and the output folder.
 *
 * <pre>
 * name: quick
 * seed: 0
 * device: cpu
 * output: plab-output/quick          # relative to the working folder
 * losses: all                        # or: [{loss: l2, name: L2}, {loss: ssim, params: {window: 7}}]
 *                                    # or: {all: true, params: {patch-swd: {stride: 2}}} (params of some)
 *                                    # or: {all: true, except: [lpips]} (all but these)
 * plugins:                           # optional: the plugin jars this matrix must run with
 *   - {coordinates: org.example:charbonnier-loss-plugin:1.0.0, sha256: 5f2c...}
 * experiments:
 *   - experiment: 2afc
 *     params: {generateFrom: ../data/photos, generateTriplets: 60}   # a synthetic set made on first run
 *   - experiment: image-mean
 *     params: {data: ../data/photos/astronaut.png, size: 32}   # data relative to this file
 *   - experiment: glo
 *     losses: [l2, vgg, mmd++]           # this experiment's own losses (any form above)
 *     note: the pretrained VGG's row needs its weights   # said in the report beside its figures
 *     params: {data: ../data/fashion.gz}
 * </pre>
 *
 * <p>An experiment's {@code losses} replace the matrix's for that experiment. A bare id in its list (or
 * {@code {loss: ID}} without params or name) means the matrix's loss of that name, else the matrix's only
 * loss of that id (with the params the matrix gives it), else that loss on its defaults; so a cell that stays
 * keeps its key and its results.
 *
 * <p>Text values may name environment variables as {@code ${NAME}} (for example the path of a data set
 * that lives elsewhere on each machine); an unset variable is an error naming it. A key given twice is an
 * error, not "the last wins"; the output folder (the name's under {@code plab-output}, or {@code output})
 * must stay inside the working folder.
 *
 * @param name the matrix's name (default: the file name)
 * @param baseDir the folder data paths are relative to (the matrix file's)
 * @param seed the run's seed, or null for the command line's
 * @param device the device, or null for the command line's
 * @param output the output folder ({@link #read}: {@code output}, else {@code plab-output/NAME}), or null
 * @param experiments the experiments, in order
 * @param losses the matrix's losses ('losses' is required)
 * @param plugins the pinned plugin jars (the run refuses to start when an installed one differs), or none
 * @param replicates which seeds every (experiment, loss) runs under: {@code seeds: [0, 1, 2]}, or
 *     {@code replicates: N} (the run's seed and the N - 1 after it); each seed is a cell of its own
 */
public record MatrixSpec(String name, Path baseDir, Long seed, String device, Path output,
                         List<ExperimentEntry> experiments, LossChoice losses, List<PinnedPlugin> plugins,
                         Replicates replicates) {

    /** The seeds a matrix runs each cell under: listed, or a count from the run's seed. */
    public record Replicates(List<Long> seeds, int count) {
        /** Once, under the run's seed. */
        public static final Replicates ONCE = new Replicates(List.of(), 1);

        public Replicates {
            seeds = List.copyOf(seeds);
        }

        /** The seeds for a run whose seed is {@code runSeed}. */
        public List<Long> of(long runSeed) {
            if (!seeds.isEmpty()) {
                return seeds;
            }
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(runSeed + i);
            }
            return out;
        }
    }

    /**
     * A matrix made in code (one cell of {@code plab run}, a reproduction, a benchmark): the run's own seed,
     * device and output folder, no pinned plugins.
     */
    public static MatrixSpec of(String name, Path baseDir, List<ExperimentEntry> experiments, LossChoice losses) {
        return new MatrixSpec(name, baseDir, null, null, null, experiments, losses, List.of(), Replicates.ONCE);
    }

    /**
     * Which losses run: those listed, or every installed loss ({@code listed} null: the file says {@code all}).
     *
     * @param listed the losses, or null for every installed loss
     * @param allParams with every installed loss: params by loss id for those that should not run on defaults
     * @param except with every installed loss: the ids to leave out
     */
    public record LossChoice(List<LossEntry> listed, Map<String, ObjectNode> allParams, Set<String> except) {
        /** Just these losses. */
        public static LossChoice of(List<LossEntry> listed) {
            return new LossChoice(listed, Map.of(), Set.of());
        }

        /** Every installed loss. */
        public boolean all() {
            return listed == null;
        }
    }

    /**
     * A plugin jar the matrix must run with: exact coordinates and the jar's sha-256.
     *
     * @param coordinates group:artifact:version (one version, not a range)
     * @param sha256 the jar's digest, lower-case hex
     */
    public record PinnedPlugin(Coordinates coordinates, String sha256) {
    }

    /**
     * One experiment of the matrix.
     *
     * @param name its display name, unique in the matrix (default: the id)
     * @param id the experiment id
     * @param params its parameters as given
     * @param losses its own losses, or null for the matrix's
     * @param note what the report says beside its figures (what they show, what they would need), or null
     */
    public record ExperimentEntry(String name, String id, ObjectNode params, LossChoice losses, String note) {
        /** An experiment that runs the matrix's losses, with no note. */
        public ExperimentEntry(String name, String id, ObjectNode params) {
            this(name, id, params, null, null);
        }
    }

    /**
     * One loss of the matrix.
     *
     * @param name its display name, unique in the matrix
     * @param spec the loss id and params as given
     */
    public record LossEntry(String name, LossSpec spec) {
    }

    private static final String LOSS_FORMS = "'all', {all: true, except: [ID, ...], params: {ID: {...}}} or a"
            + " list of {loss: ID, params: {...}, name: TEXT}";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final List<String> TOP_KEYS = List.of("name", "seed", "seeds", "replicates", "device", "output",
            "losses", "experiments", "plugins");
    /** More cells than any study needs per (experiment, loss): a typo such as 1000000 is refused. */
    private static final int MAX_REPLICATES = 1000;
    private static final List<String> PIN_KEYS = List.of("coordinates", "sha256");
    private static final List<String> EXPERIMENT_KEYS = List.of("experiment", "name", "losses", "note", "params");
    private static final List<String> ALL_LOSSES_KEYS = List.of("all", "params", "except");
    private static final List<String> LOSS_KEYS = List.of("loss", "name", "params");

    /** Reads a matrix file; errors name the file and the entry at fault. */
    public static MatrixSpec read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PlabException("matrix file not found: " + file.toAbsolutePath());
        }
        JsonNode root;
        try {
            String fileName = file.getFileName().toString();
            root = (fileName.endsWith(".json") ? JsonFiles.JSON : StrictYaml.MAPPER).readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new PlabException("cannot parse matrix file " + file + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new PlabException("cannot parse matrix file " + file + ": " + e.getMessage(), e);
        }
        String where = "matrix " + file + ": ";
        if (root == null || !root.isObject()) {
            throw new PlabException(where + "expects a mapping with 'experiments' and 'losses'");
        }
        root = expand(where, root);
        requireKnownKeys(where, "at the top level", root, TOP_KEYS);
        if (!root.hasNonNull("losses")) {
            throw new PlabException(where + "needs 'losses': " + LOSS_FORMS);
        }
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        Path base = file.toAbsolutePath().getParent();
        String top = "at the top level";
        String given = text(where, top, root, "name");
        String name = given == null ? stem : given;
        String output = text(where, top, root, "output");
        // A file from elsewhere names folders: they stay where plab's output goes, whatever it says.
        Path outputFolder = output != null
                ? ConfinedPaths.under(Path.of(""), output, "the 'output' of matrix file " + file)
                : ConfinedPaths.under(Path.of("plab-output"), name, "the " + (given == null ? "file name"
                : "'name'") + " of matrix file " + file + " (its output folder is plab-output/NAME)");
        return new MatrixSpec(name, base, integer(where, top, root, "seed"),
                text(where, top, root, "device"), outputFolder,
                experiments(where, root.get("experiments")), lossChoice(where, "", root.get("losses")),
                plugins(where, root.get("plugins")), replicates(where, root));
    }

    /** {@code seeds: [S, ...]} (distinct, non-negative) or {@code replicates: N}, not both; neither: once. */
    private static Replicates replicates(String where, JsonNode root) {
        JsonNode seeds = root.get("seeds");
        Long count = integer(where, "at the top level", root, "replicates");
        boolean listed = seeds != null && !seeds.isNull();
        if (listed && count != null) {
            throw new PlabException(where + "give 'seeds' (a list) or 'replicates' (a count), not both");
        }
        if (count != null) {
            if (count < 1 || count > MAX_REPLICATES) {
                throw new PlabException(where + "'replicates' must be in [1, " + MAX_REPLICATES + "], got " + count);
            }
            return new Replicates(List.of(), count.intValue());
        }
        if (!listed) {
            return Replicates.ONCE;
        }
        String form = "'seeds' must be a non-empty list of distinct non-negative integers, e.g. seeds: [0, 1, 2]";
        if (!seeds.isArray() || seeds.isEmpty() || seeds.size() > MAX_REPLICATES) {
            throw new PlabException(where + form + ", got " + seeds);
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode s : seeds) {
            long value;
            if (s.isIntegralNumber() && s.canConvertToLong()) {
                value = s.asLong();
            } else if (s.isTextual() && s.asText().trim().matches("\\d{1,18}")) {
                value = Long.parseLong(s.asText().trim());
            } else {
                throw new PlabException(where + form + ", got " + seeds);
            }
            if (value < 0 || out.contains(value)) {
                throw new PlabException(where + form + ", got " + seeds);
            }
            out.add(value);
        }
        return new Replicates(out, out.size());
    }

    private static List<PinnedPlugin> plugins(String where, JsonNode list) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new PlabException(where + "'plugins' must be a list of {coordinates: GROUP:ARTIFACT:VERSION, sha256:"
                    + " HEX}");
        }
        List<PinnedPlugin> out = new ArrayList<>();
        for (JsonNode p : list) {
            String place = "in plugins entry " + (out.size() + 1);
            if (!p.isObject()) {
                throw new PlabException(where + place + ": expected {coordinates: ..., sha256: ...}, got " + p);
            }
            requireKnownKeys(where, place, p, PIN_KEYS);
            String coordinates = text(where, place, p, "coordinates");
            String sha256 = text(where, place, p, "sha256");
            if (coordinates == null || sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new PlabException(where + place + " needs 'coordinates: GROUP:ARTIFACT:VERSION' and 'sha256:' (64"
                        + " hex digits; 'plab plugins list' shows them), got " + p);
            }
            Coordinates c = Coordinates.parse(coordinates);
            if (c.isRange() || coordinates.split(":").length != 3) {
                throw new PlabException(where + place + " pins '" + coordinates + "': a pin names one version");
            }
            out.add(new PinnedPlugin(c, sha256.toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /**
     * Fails on a key of the mapping {@code node} that is not in {@code known}, naming the key, its place in
     * the file and the known keys: a mistyped key would otherwise be ignored and the run use defaults.
     */
    private static void requireKnownKeys(String where, String place, JsonNode node, List<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new PlabException(where + "unknown key '" + key + "' " + place + "; known: "
                        + String.join(", ", known) + DidYouMean.suggestion(key, known));
            }
        }
    }

    /**
     * An optional integer: a number, or text holding one (a ${VARIABLE} expands to text); anything else is
     * an error naming the key and its place, rather than a silent 0.
     */
    private static Long integer(String where, String place, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isTextual() && v.asText().trim().matches("-?\\d{1,18}")) {
            return Long.parseLong(v.asText().trim());
        }
        throw new PlabException(where + "'" + key + "' " + place + " must be an integer, got " + v);
    }

    /** An optional text value (a YAML scalar of any kind reads as its text); a list or mapping is an error. */
    private static String text(String where, String place, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new PlabException(where + "'" + key + "' " + place + " must be text, got " + v);
        }
        return v.asText();
    }

    /** A copy of {@code node} with every ${NAME} in its text values replaced by the environment's value. */
    private static JsonNode expand(String where, JsonNode node) {
        if (node.isTextual()) {
            Matcher m = VARIABLE.matcher(node.asText());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = System.getenv(m.group(1));
                if (value == null) {
                    throw new PlabException(where + "uses ${" + m.group(1) + "} but that environment variable is not"
                            + " set; set it (for example to the data set's folder) and run again");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), expand(where, e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            node.forEach(v -> copy.add(expand(where, v)));
            return copy;
        }
        return node;
    }

    private static List<ExperimentEntry> experiments(String where, JsonNode list) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new PlabException(where + "needs 'experiments': a list of {experiment: ID, params: {...}}");
        }
        List<ExperimentEntry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode e : list) {
            if (!e.path("experiment").isTextual()) {
                throw new PlabException(where + "each experiment needs 'experiment: ID', got " + e);
            }
            String id = e.get("experiment").asText();
            String given = text(where, "in experiment '" + id + "'", e, "name");
            String name = given == null ? id : given;
            requireKnownKeys(where, "in experiment '" + name + "'", e, EXPERIMENT_KEYS);
            if (!names.add(name)) {
                throw new PlabException(where + "two experiments are named '" + name + "'; give each a distinct 'name'");
            }
            JsonNode params = e.get("params");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw new PlabException(where + "experiment '" + name + "' has non-mapping params: " + params);
            }
            ObjectNode p = params == null || params.isNull() ? new ObjectMapper().createObjectNode()
                    : ((ObjectNode) params).deepCopy();
            JsonNode losses = e.get("losses");
            out.add(new ExperimentEntry(name, id, p, losses == null || losses.isNull() ? null
                    : lossChoice(where, " of experiment '" + name + "'", losses),
                    text(where, "in experiment '" + name + "'", e, "note")));
        }
        return out;
    }

    private static boolean isAll(JsonNode node) {
        return (node.isTextual() && node.asText().equals("all"))
                || (node.isObject() && node.path("all").asBoolean(false));
    }

    /**
     * A 'losses' value: one of {@link #LOSS_FORMS}; {@code owner} is empty for the matrix's, else says whose
     * (" of experiment 'glo'") in errors.
     */
    private static LossChoice lossChoice(String where, String owner, JsonNode node) {
        String what = "'losses'" + owner;
        if (isAll(node)) {
            return new LossChoice(null, allParams(where, what, node), except(where, what, node));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new PlabException(where + what + " must be " + LOSS_FORMS + ", got " + node);
        }
        List<LossEntry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode l : node) {
            String place = "in loss entry " + (out.size() + 1) + owner;
            if (l.isObject()) {
                requireKnownKeys(where, "in loss entry " + (out.size() + 1) + " (" + l.path("loss").asText("?") + ")"
                        + owner, l, LOSS_KEYS);
            }
            LossSpec spec = l.isTextual() ? LossSpec.of(l.asText()) : LossSpec.parse(where + place + ": ", l);
            String given = l.isObject() ? text(where, place, l, "name") : null;
            String name = given == null ? spec.toString() : given;
            if (!names.add(name)) {
                throw new PlabException(where + "two losses" + owner + " are named '" + name
                        + "'; give each a distinct 'name'");
            }
            out.add(new LossEntry(name, spec));
        }
        return LossChoice.of(out);
    }

    private static Map<String, ObjectNode> allParams(String where, String what, JsonNode node) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        if (node.isObject()) {
            requireKnownKeys(where, "under " + what, node, ALL_LOSSES_KEYS);
            JsonNode params = node.path("params");
            if (!params.isMissingNode() && !params.isObject()) {
                throw new PlabException(where + "'params' in " + what + " must be a mapping {ID: {...}}, got " + params);
            }
            params.fields().forEachRemaining(e -> {
                if (!e.getValue().isObject()) {
                    throw new PlabException(where + "'params." + e.getKey() + "' in " + what
                            + " must be a mapping of parameters");
                }
                out.put(e.getKey(), ((ObjectNode) e.getValue()).deepCopy());
            });
        }
        return out;
    }

    private static Set<String> except(String where, String what, JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node.isObject() && node.has("except")) {
            if (!node.get("except").isArray()) {
                throw new PlabException(where + "'except' in " + what + " must be a list of loss ids, e.g. [lpips]");
            }
            node.get("except").forEach(id -> out.add(id.asText()));
        }
        return out;
    }

    /**
     * Refuses to run this matrix when a pinned plugin is not loaded, or is loaded in another version or with
     * other bytes; the message names both digests and the command that installs the pinned jars.
     */
    public void requirePinsMet(LoadedPlugins loaded) {
        for (PinnedPlugin pin : plugins) {
            Optional<PluginJar> same = LoadedPlugins.find(pin.coordinates(), List.copyOf(loaded.jars().values()));
            String fix = "; run 'plab plugins sync MATRIX-FILE' to install the pinned jars";
            if (same.isEmpty()) {
                throw new PlabException("matrix " + name + " pins plugin " + pin.coordinates() + " (sha-256 "
                        + pin.sha256() + "), which is not installed" + fix);
            }
            PluginJar jar = same.get();
            Coordinates installed = jar.coordinates().orElseThrow();
            if (!installed.equals(pin.coordinates()) || !jar.sha256().equals(pin.sha256())) {
                throw new PlabException("matrix " + name + " pins plugin " + pin.coordinates() + " with sha-256 "
                        + pin.sha256() + ", but the installed plugin '" + jar.id() + "' (" + jar.path() + ") is "
                        + installed + " with sha-256 " + jar.sha256() + fix);
            }
        }
    }
}
