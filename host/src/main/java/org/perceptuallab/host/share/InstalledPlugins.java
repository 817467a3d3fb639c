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
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.provenance.PluginJar;

/**
 * The record of what {@code plab plugins install} put into the user plugin folder, kept beside the jars as
 * {@value #FILE} (PF4J loads only {@code *.jar} and folders, so it ignores it): per plugin its id, version,
 * coordinates, file, sha-256 at install time, the repository it came from and who signed it. The file is
 * a user's to edit, so every entry is checked when it is read: each names a jar directly in the folder, and
 * nothing done through the index (remove, update, verify) touches a file elsewhere.
 */
public final class InstalledPlugins {
    /** The index file's name in the user plugin folder. */
    public static final String FILE = "plab-installed.json";
    /** How an entry's signer starts when no trusted key vouched for the jar. */
    public static final String UNVERIFIED = "unverified";

    /**
     * One installed plugin.
     *
     * @param coordinates group:artifact:version, or {@code local:ID:VERSION} for a jar that names none
     * @param repository the repository's URL, or the jar's path for a file install
     * @param signer the verified signer ("fingerprint user-id"), else {@value #UNVERIFIED} and why
     */
    public record Entry(String id, String version, String coordinates, String file, String sha256, String repository,
                        String signer, String installed) {
    }

    /**
     * What an installed jar is now, against its entry.
     *
     * @param sha256 the jar's digest now, or null where the jar is gone
     */
    public record Check(Entry entry, Path jar, String sha256) {
        public boolean missing() {
            return sha256 == null;
        }

        public boolean changed() {
            return !missing() && !sha256.equals(entry.sha256());
        }

        /** Its trust state: signed by a key, unverified (and why), changed or missing. */
        public String trust() {
            if (missing()) {
                return "missing: " + jar + " is gone";
            }
            if (changed()) {
                return "changed: sha-256 " + sha256 + ", recorded at install " + entry.sha256();
            }
            String signer = entry.signer();
            if (signer.startsWith(UNVERIFIED)) {
                return signer;
            }
            // Records of earlier versions said "unsigned" or "untrusted key ID".
            if (signer.equals("unsigned") || signer.startsWith("untrusted key")) {
                return UNVERIFIED + " (" + signer + ")";
            }
            return "signed by " + signer;
        }
    }

    private final Path folder;
    private final List<Entry> entries = new ArrayList<>();

    private InstalledPlugins(Path folder) {
        this.folder = folder;
    }

    /**
     * The index of a user plugin folder (empty where the folder or the index does not exist yet); an entry
     * lacking a field, or whose file is no jar of the folder, is an error naming the index and the entry.
     */
    public static InstalledPlugins in(Path folder) {
        InstalledPlugins index = new InstalledPlugins(folder);
        Path file = folder.resolve(FILE);
        if (Files.isRegularFile(file)) {
            try {
                for (JsonNode e : JsonFiles.JSON.readTree(file.toFile()).path("plugins")) {
                    index.entries.add(JsonFiles.JSON.treeToValue(e, Entry.class));
                }
            } catch (IOException e) {
                throw new PlabException("cannot read the plugin index " + file + " (" + e.getMessage() + "); it"
                        + " records what was installed: restore it, or remove it and install the plugins again", e);
            }
            index.entries.forEach(index::jar);
        }
        return index;
    }

    /**
     * The jar of an entry: a {@code .jar} directly in the folder, never a path out of it (by {@code ..}, an
     * absolute path or a symbolic link), whatever the index says.
     */
    public Path jar(Entry entry) {
        String what = "entry " + (entries.indexOf(entry) + 1) + " (plugin '" + entry.id() + "') of the plugin index "
                + folder.resolve(FILE);
        for (String field : new String[] {entry.id(), entry.version(), entry.coordinates(), entry.file(),
                entry.sha256(), entry.repository(), entry.signer()}) {
            if (field == null) {
                throw new PlabException(what + " lacks a field (id, version, coordinates, file, sha256, repository,"
                        + " signer): restore the index, or remove the entry and install the plugin again");
            }
        }
        Path jar = ConfinedPaths.under(folder, entry.file(), "the file of " + what);
        if (!jar.getParent().equals(folder.toAbsolutePath().normalize()) || !entry.file().endsWith(".jar")) {
            throw new PlabException("the file of " + what + " is '" + entry.file() + "', which is refused: it must"
                    + " name a .jar directly in " + folder + " (fix or remove the entry)");
        }
        return jar;
    }

    /** The entry's jar as it is now. */
    public Check check(Entry entry) {
        Path jar = jar(entry);
        return new Check(entry, jar, Files.isRegularFile(jar) ? PluginJar.sha256(jar) : null);
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
        ObjectNode root = JsonFiles.JSON.createObjectNode();
        ArrayNode list = root.putArray("plugins");
        entries.forEach(e -> list.add(JsonFiles.JSON.valueToTree(e)));
        JsonFiles.writeJson(folder.resolve(FILE), root);
    }
}
