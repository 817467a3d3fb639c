package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One planned cell as a process that did not plan it receives it (a {@code --jobs} worker): everything
 * {@link CellExecutor} needs, as JSON.
 *
 * @param id the cell's id (from its key)
 * @param entry the matrix entry's name
 * @param experiment the experiment's id
 * @param params the entry's prepared, resolved parameters
 * @param data the data's identity, or null
 * @param loss the loss entry's name
 * @param lossSpec the loss's spec as the matrix gives it
 * @param key the cell's key as stored
 * @param baseDir the folder data paths are relative to
 * @param dir the cell's folder
 */
record CellJob(String id, String entry, String experiment, ObjectNode params, ObjectNode data, String loss,
               JsonNode lossSpec, ObjectNode key, String baseDir, String dir) {
}
