package org.perceptuallab.host.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.matrix.ResultStore;

/**
 * The record of what {@code plab plugins install} put into the user plugin folder, kept beside the jars as
 * {@value #FILE} (PF4J loads only {@code *.jar} and folders, so it ignores it): per plugin its id, version,
 * coordinates, file, sha-256 at install time, the repository it came from and who signed it.
 */
public final class InstalledPlugins {
    /** The index file's name in the user plugin folder. */
    public static final String FILE = "plab-installed.json";

    /**
     * One installed plugin.
     *
     * @param coordinates group:artifact:version, or {@code local:ID:VERSION} for a jar that names none
     * @param repository the repository's URL, or the jar's path for a file install
     * @param signer the verified signer ("fingerprint user-id"), else a word on why there is none
     */
    public record Entry(String id, String version, String coordinates, String file, String sha256, String repository,
                        String signer, String installed) {
    }

    private final Path folder;
    private final List<Entry> entries = new ArrayList<>();

    private InstalledPlugins(Path folder) {
        this.folder = folder;
    }

    /** The index of a user plugin folder (empty where the folder or the index does not exist yet). */
    public static InstalledPlugins in(Path folder) {
        InstalledPlugins index = new InstalledPlugins(folder);
        Path file = folder.resolve(FILE);
        if (Files.isRegularFile(file)) {
            try {
                for (JsonNode e : ResultStore.JSON.readTree(file.toFile()).path("plugins")) {
                    index.entries.add(ResultStore.JSON.treeToValue(e, Entry.class));
                }
            } catch (IOException e) {
                throw new PlabException("cannot read the plugin index " + file + " (" + e.getMessage() + "); it"
                        + " records what was installed: restore it, or remove it and install the plugins again", e);
            }
        }
        return index;
    }

    public Path folder() {
        return folder;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public Optional<Entry> find(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** The entry of plugin {@code id}; an error listing the installed ids when there is none. */
    public Entry require(String id) {
        return find(id).orElseThrow(() -> new PlabException("no plugin '" + id + "' was installed into " + folder
                + " by plab plugins install (installed: " + (entries.isEmpty() ? "none"
                : String.join(", ", entries.stream().map(Entry::id).toList())) + ")"));
    }

    /** Records {@code entry}, replacing the plugin's earlier entry, and writes the index atomically. */
    public void put(Entry entry) {
        entries.removeIf(e -> e.id().equals(entry.id()));
        entries.add(entry);
        write();
    }

    /** Forgets plugin {@code id} and writes the index atomically. */
    public void remove(String id) {
        entries.removeIf(e -> e.id().equals(id));
        write();
    }

    private void write() {
        ObjectNode root = ResultStore.JSON.createObjectNode();
        ArrayNode list = root.putArray("plugins");
        entries.forEach(e -> list.add(ResultStore.JSON.valueToTree(e)));
        ResultStore.writeJson(folder.resolve(FILE), root);
    }
}
