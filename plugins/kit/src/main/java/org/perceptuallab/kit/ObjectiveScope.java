package org.perceptuallab.kit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One evaluation of an objective that may call several losses on the same image, such as style transfer's
 * style and content terms. While it is open on a thread, a loss may keep work it did on an input array (a
 * trunk's feature maps) for another loss's call on that same array to reuse instead of repeating it. Within
 * one evaluation no input changes, so what was computed from an array stays true of it; outside a scope
 * nothing is kept, since arrays may change in place between calls (an optimiser's step).
 *
 * <p>Kept arrays live in the scope's own manager and are released when it closes. Scopes nest: the innermost
 * open one is current, and closing it makes its outer one current again.
 */
public final class ObjectiveScope implements AutoCloseable {
    private static final ThreadLocal<ObjectiveScope> CURRENT = new ThreadLocal<>();

    private final ObjectiveScope outer;
    private final NDManager kept;
    private final List<Object> entries = new ArrayList<>();

    private ObjectiveScope(ObjectiveScope outer, NDManager kept) {
        this.outer = outer;
        this.kept = kept;
    }

    /** Opens a scope on this thread whose kept arrays live in a new sub-manager of {@code parent}. */
    public static ObjectiveScope open(NDManager parent) {
        ObjectiveScope scope = new ObjectiveScope(CURRENT.get(), parent.newSubManager());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * The value of {@code objective} computed in a scope of its own (kept arrays in a sub-manager of
     * {@code parent}), closed when it returns: autograd holds what a backward pass needs of the kept arrays.
     */
    public static <T> T evaluate(NDManager parent, Supplier<T> objective) {
        ObjectiveScope scope = open(parent);
        try {
            return objective.get();
        } finally {
            scope.close();
        }
    }

    /** The innermost scope open on this thread, if any. */
    public static Optional<ObjectiveScope> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Keeps {@code entry} for later calls in this scope, with the arrays it holds moved into the scope. */
    public void keep(Object entry, Iterable<NDArray> arrays) {
        arrays.forEach(a -> a.attach(kept));
        entries.add(entry);
    }

    /** The entries of {@code type} kept so far, oldest first. */
    public <T> List<T> kept(Class<T> type) {
        return entries.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() {
        if (CURRENT.get() != this) {
            throw new IllegalStateException("objective scopes must close innermost first");
        }
        CURRENT.set(outer);
        if (outer == null) {
            CURRENT.remove();
        }
        entries.clear();
        kept.close();
    }
}
