package org.perceptuallab.host.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.perceptuallab.api.LossSpec;

/**
 * One planned (experiment, loss) cell: all that running it needs, decided once by the planner and sent as it
 * is to whoever runs it (this process or a worker).
 *
 * @param id the cell's id: the start of its key's sha-256
 * @param experimentName the matrix entry's name
 * @param experiment the experiment's id
 * @param params the entry's prepared parameters, resolved (defaults filled in)
 * @param data the data's identity (path, files, sha-256), or null where the experiment reads none
 * @param lossName the loss's name in the matrix
 * @param loss the loss's canonical spec (every parameter, defaults included), as JSON
 * @param seed the run's seed
 * @param key what identifies the configuration: experiment, params, loss, seed, data hash (as stored)
 * @param baseDir the folder the experiment's data paths are relative to
 * @param dir the cell's folder in the results folder
 * @param replicated whether the matrix runs this experiment and loss under several seeds (then the seed names
 *     the cell too)
 */
public record CellPlan(String id, String experimentName, String experiment, ObjectNode params, ObjectNode data,
                       String lossName, JsonNode loss, long seed, ObjectNode key, Path baseDir, Path dir,
                       boolean replicated) {

    /** The loss's spec. */
    public LossSpec lossSpec() {
        return LossSpec.parse("cell " + id + " ", loss);
    }

    /** "EXPERIMENT x LOSS", with "seed S" where the matrix has several, as progress lines name a cell. */
    public String label() {
        return experimentName + " x " + lossName + (replicated ? " seed " + seed : "");
    }
}
