package org.perceptuallab.host.web;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Tells when anything under some folders changes: a file written, moved into place, appended to or removed.
 * The operating system's notifications (inotify) wake it, every folder of the trees watched, new ones as they
 * appear; since shards on another machine write over a network file system, whose changes raise no local
 * notification, it also looks every {@link #RECHECK_SECONDS} seconds. Either way it compares a fingerprint of the
 * trees (each file's path, size and modification time) and calls back only when that changed, once per burst.
 */
final class FolderWatch implements AutoCloseable {
    /** How often the trees are looked at without a notification. */
    static final int RECHECK_SECONDS = 5;
    /** How long a burst of notifications (a cell writing its images, result and marker) is let settle. */
    private static final long SETTLE_MILLIS = 150;

    private final List<Path> roots;
    private final Runnable changed;
    private final WatchService service;
    private final Thread thread;
    private int fingerprint;

    FolderWatch(List<Path> roots, Runnable changed) throws IOException {
        this.roots = List.copyOf(roots);
        this.changed = changed;
        this.service = FileSystems.getDefault().newWatchService();
        for (Path root : this.roots) {
            register(root);
        }
        this.fingerprint = fingerprint();
        this.thread = new Thread(this::watch, "plab-live-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = service.poll(RECHECK_SECONDS, TimeUnit.SECONDS);
                while (key != null) {
                    // New folders (a cell's, its state/) are watched too; their first files may predate that, the
                    // fingerprint below sees them anyway.
                    for (var event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && key.watchable() instanceof Path dir
                                && event.context() instanceof Path name && Files.isDirectory(dir.resolve(name))) {
                            register(dir.resolve(name));
                        }
                    }
                    key.reset();
                    key = service.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
                }
                int now = fingerprint();
                if (now != fingerprint) {
                    fingerprint = now;
                    changed.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        }
    }

    /** Watches {@code dir} and every folder under it. */
    private void register(Path dir) {
        try (Stream<Path> dirs = Files.walk(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException gone) {
            // removed while walked: nothing to watch there; the periodic look covers what was missed
        }
    }

    /** Each file's path, size and modification time under the roots, hashed. */
    private int fingerprint() {
        int hash = 1;
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.sorted().toList()) {
                    try {
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                        hash = 31 * hash + Objects.hash(f.toString(), a.size(), a.lastModifiedTime());
                    } catch (IOException gone) {
                        hash = 31 * hash + f.hashCode();
                    }
                }
            } catch (IOException | RuntimeException gone) {
                hash = 31 * hash;
            }
        }
        return hash;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            service.close();
            thread.join(2_000);
        } catch (IOException ignored) {
            // nothing left to release
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
