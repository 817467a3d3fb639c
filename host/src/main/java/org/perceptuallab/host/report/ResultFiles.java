package org.perceptuallab.host.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.run.CellOutcome;

/** The files a run's outcomes are rendered into: results.json, results.csv and report.html, each written atomically. */
public final class ResultFiles {
    /** The report's file name in a results folder. */
    public static final String REPORT = "report.html";

    private ResultFiles() {
    }

    /**
     * Writes the three files for {@code outcomes} (in plan order) into {@code output}; {@code warnings} hears what
     * the report left out (an image path leading out of the folder, say). Returns the report's path.
     */
    public static Path write(Path output, String matrix, List<CellOutcome> outcomes, List<String> notes,
                             Map<String, String> experimentNotes, Consumer<String> warnings) {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        all.put("matrix", matrix);
        all.put("hostVersion", Lab.VERSION);
        ArrayNode n = all.putArray("notes");
        notes.forEach(n::add);
        ObjectNode byExperiment = all.putObject("experimentNotes");
        experimentNotes.forEach(byExperiment::put);
        all.set("cells", JsonFiles.JSON.valueToTree(outcomes));
        JsonFiles.writeJson(output.resolve("results.json"), all);
        JsonFiles.writeAtomically(output.resolve("results.csv"), Report.csv(outcomes));
        Path report = output.resolve(REPORT);
        JsonFiles.writeAtomically(report, Report.html(matrix, outcomes, notes, experimentNotes, output, warnings));
        return report;
    }
}
