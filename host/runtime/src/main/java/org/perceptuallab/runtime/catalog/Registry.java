package org.perceptuallab.runtime.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.perceptuallab.api.PlabException;

/**
 * Installed extensions of one kind (loss families or experiments) by id, each with where it came from.
 * Two extensions claiming one id is an error naming both origins.
 *
 * @param <T> the extension type
 */
public final class Registry<T> {

    /**
     * One installed extension.
     *
     * @param extension the extension
     * @param origin where it came from, for example {@code losses-pixel 0.1.0} or {@code classpath}
     */
    public record Entry<T>(T extension, String origin) {
    }

    private final String kind;
    private final Function<T, String> idOf;
    private final Map<String, Entry<T>> byId = new TreeMap<>();

    /**
     * @param kind what the extensions are, for messages ("loss", "experiment")
     * @param idOf reads an extension's id
     */
    public Registry(String kind, Function<T, String> idOf) {
        this.kind = kind;
        this.idOf = idOf;
    }

    /** Adds an extension; fails when its id is taken, naming both claimants. */
    public synchronized void add(T extension, String origin) {
        addUnlessTaken(extension, origin).ifPresent(previous -> {
            throw new PlabException(kind + " id '" + idOf.apply(extension) + "' is claimed by two plugins: "
                    + previous.origin() + " (" + previous.extension().getClass().getName() + ") and " + origin + " ("
                    + extension.getClass().getName() + "); remove or rename one of them");
        });
    }

    /** Adds an extension unless its id is taken; then nothing is added, and the entry holding the id is returned. */
    public synchronized Optional<Entry<T>> addUnlessTaken(T extension, String origin) {
        Entry<T> previous = byId.putIfAbsent(idOf.apply(extension), new Entry<>(extension, origin));
        return Optional.ofNullable(previous);
    }

    /** The extension with this id, if installed. */
    public synchronized Optional<Entry<T>> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The extension with this id; fails with the list of installed ids. */
    public synchronized Entry<T> require(String id) {
        Entry<T> e = byId.get(id);
        if (e == null) {
            throw new PlabException("no installed " + kind + " has id '" + id + "'"
                    + DidYouMean.suggestion(id, byId.keySet()) + "; installed: "
                    + (byId.isEmpty() ? "none (is the plugins folder set?)" : String.join(", ", byId.keySet()))
                    + "; list them with 'plab " + (kind.equals("loss") ? "losses" : "experiments") + "'");
        }
        return e;
    }

    /** Every entry, sorted by id. */
    public synchronized List<Entry<T>> entries() {
        return Collections.unmodifiableList(new ArrayList<>(byId.values()));
    }

    /** The kind named in messages. */
    public String kind() {
        return kind;
    }
}
