package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.run.CellPlan;
import org.perceptuallab.runtime.catalog.DidYouMean;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.cell.Preparation;

/**
 * Turns a matrix file into cell plans: expands {@code all}, resolves each experiment's and loss's parameters
 * (after the experiment prepared its shared data), and derives each cell's key and id. What it decides is
 * decided once: the plans carry it to whoever runs the cells.
 */
final class MatrixPlanner {
    private final Lab lab;
    private final PrintWriter log;

    MatrixPlanner(Lab lab, PrintWriter log) {
        this.lab = lab;
        this.log = log;
    }

    /**
     * The matrix's cells in plan order, its notes (losses left out of {@code all}, and why) and its
     * experiments' notes by name.
     */
    record Plan(List<CellPlan> cells, List<String> notes, Map<String, String> experimentNotes) {
    }

    /** The plan under the run's seed {@code runSeed}: one cell per experiment, loss and seed of the matrix's replicates. */
    Plan plan(MatrixSpec spec, ResultStore store, long runSeed) {
        List<Long> seeds = spec.replicates().of(runSeed);
        List<String> notes = new ArrayList<>();
        List<MatrixSpec.LossEntry> matrixLosses = losses("matrix " + spec.name(), spec.losses(), List.of(), notes);
        List<CellPlan> cells = new ArrayList<>();
        Map<String, ObjectNode> dataIds = new HashMap<>();
        Map<String, String> experimentNotes = new LinkedHashMap<>();
        for (MatrixSpec.ExperimentEntry entry : spec.experiments()) {
            if (entry.note() != null) {
                experimentNotes.put(entry.name(), entry.note());
            }
            Registry.Entry<Experiment> experiment = lab.experiments().require(entry.id());
            List<MatrixSpec.LossEntry> losses = entry.losses() == null ? matrixLosses
                    : losses("experiment '" + entry.name() + "' of matrix " + spec.name(), entry.losses(), matrixLosses,
                    notes);
            ObjectNode given = prepare(experiment, entry, spec, store);
            Params params = experiment.extension().params().resolve("experiment '" + entry.name() + "'", given);
            ObjectNode data = null;
            if (params.json().hasNonNull("data")) {
                Path path = spec.baseDir().resolve(params.json().get("data").asText()).normalize();
                data = dataIds.computeIfAbsent(path.toString(), k -> DataIdentity.of(path));
            }
            for (MatrixSpec.LossEntry loss : losses) {
                JsonNode canonical = canonical(loss.spec());
                for (long seed : seeds) {
                    ObjectNode key = JsonNodeFactory.instance.objectNode();
                    key.put("experiment", entry.id());
                    key.set("params", params.json());
                    key.set("loss", canonical);
                    key.put("seed", seed);
                    if (data != null) {
                        key.put("data", data.path("sha256").asText());
                    }
                    ObjectNode stored = asStored(key);
                    String id = ShardPlan.sha256(stored.toString()).substring(0, 12);
                    cells.add(new CellPlan(id, entry.name(), entry.id(), params.json(), data, loss.name(), canonical,
                            seed, stored, spec.baseDir(), store.cellDir(entry.name(), loss.name(), id), seeds.size() > 1));
                }
            }
        }
        return new Plan(cells, notes, experimentNotes);
    }

    /**
     * The losses a choice names; with {@code all}, every family not excepted whose parameters have defaults.
     * {@code matrix} holds the matrix's losses when the choice is an experiment's: a bare id there means the
     * matrix's loss of that name, else its only loss of that id (see {@link MatrixSpec}).
     */
    private List<MatrixSpec.LossEntry> losses(String where, MatrixSpec.LossChoice choice,
                                              List<MatrixSpec.LossEntry> matrix, List<String> notes) {
        if (!choice.all()) {
            return choice.listed().stream().map(l -> matrixLoss(l, matrix)).toList();
        }
        List<String> installed = lab.losses().families().entries().stream().map(e -> e.extension().id()).toList();
        for (String id : choice.except()) {
            if (!installed.contains(id)) {
                throw new PlabException(where + ": 'losses.except' names '" + id + "', which is"
                        + " not an installed loss" + DidYouMean.suggestion(id, installed) + "; correct or remove it"
                        + " (installed: " + String.join(", ", installed) + ")");
            }
        }
        List<MatrixSpec.LossEntry> out = new ArrayList<>();
        for (Registry.Entry<LossFamily> e : lab.losses().families().entries()) {
            String id = e.extension().id();
            if (choice.except().contains(id)) {
                noteOnce(notes, "loss '" + id + "' left out of 'all' by the 'except' list of " + where);
                continue;
            }
            ObjectNode given = choice.allParams().get(id);
            try {
                e.extension().params().resolve("loss '" + id + "'", given);
                LossSpec loss = new LossSpec(id, given);
                out.add(new MatrixSpec.LossEntry(loss.toString(), loss));
            } catch (PlabException needsParams) {
                noteOnce(notes, "loss '" + id + "' left out of 'all': " + needsParams.getMessage()
                        + "; give its params under 'losses: {all: true, params: {" + id + ": {...}}}' to include it");
            }
        }
        for (String id : choice.allParams().keySet()) {
            lab.losses().families().require(id);
        }
        if (out.isEmpty()) {
            throw new PlabException("no losses installed (is the plugins folder set? see 'plab losses')");
        }
        return out;
    }

    /** An experiment's loss as the matrix defines it, where it names one of the matrix's by a bare id. */
    private static MatrixSpec.LossEntry matrixLoss(MatrixSpec.LossEntry loss, List<MatrixSpec.LossEntry> matrix) {
        boolean bare = loss.spec().params().isEmpty() && loss.name().equals(loss.spec().id());
        if (!bare) {
            return loss;
        }
        List<MatrixSpec.LossEntry> named = matrix.stream().filter(m -> m.name().equals(loss.name())).toList();
        List<MatrixSpec.LossEntry> ofId = matrix.stream().filter(m -> m.spec().id().equals(loss.spec().id())).toList();
        return !named.isEmpty() ? named.get(0) : ofId.size() == 1 ? ofId.get(0) : loss;
    }

    private static void noteOnce(List<String> notes, String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    /** The entry's params after its experiment prepared their shared data (a generated set, say). */
    private ObjectNode prepare(Registry.Entry<Experiment> experiment, MatrixSpec.ExperimentEntry entry, MatrixSpec spec,
                               ResultStore store) {
        PreparationContext context = new Preparation(store.root().resolve("data").resolve(ResultStore.safe(entry.name())),
                path -> spec.baseDir().resolve(path).normalize(), log);
        try {
            return experiment.extension().prepare(entry.params().deepCopy(), context);
        } catch (PlabException e) {
            throw e;
        } catch (Exception | LinkageError | AssertionError e) {
            throw PluginFailure.of("experiment '" + entry.id() + "': prepare", experiment.extension().getClass(),
                    experiment.origin(), e, null);
        }
    }

    /**
     * The key as it reads back from a result file: JSON numbers come back as the narrowest type (an int
     * written from a long reads as an int), and keys are compared as read.
     */
    private static ObjectNode asStored(ObjectNode key) {
        try {
            return (ObjectNode) JsonFiles.JSON.readTree(key.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loss spec with defaults filled in, or as given when its params do not resolve. */
    private JsonNode canonical(LossSpec spec) {
        try {
            LossFamily family = lab.losses().families().require(spec.id()).extension();
            return new LossSpec(spec.id(), family.params().resolve("loss '" + spec.id() + "'", spec.params()).json())
                    .json();
        } catch (PlabException e) {
            return spec.json();
        }
    }
}
