package org.perceptuallab.host.matrix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.perceptuallab.host.run.CellPlan;

/**
 * The planning process's side of {@code plab matrix --jobs N}: up to N {@link CellWorker} processes, each
 * running one cell at a time, started when first needed and kept for the next cell (a worker pays the
 * engine's start once). A worker that dies fails its cell, and the next cell gets a new worker.
 */
final class CellWorkers implements AutoCloseable {
    /** How long a worker may take to finish after its input ends, before it is stopped. */
    private static final long EXIT_SECONDS = 10;

    private final CellWorker.Start start;
    private final int size;
    private final PrintWriter log;
    private final List<Worker> workers = new ArrayList<>();
    /** The running cells' progress, "done/total" by cell id. */
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();

    CellWorkers(CellWorker.Start start, int size, PrintWriter log) {
        this.start = start;
        this.size = size;
        this.log = log;
    }

    /** Why a cell's worker ended before the cell did. */
    static final class WorkerDied extends IOException {
        WorkerDied(String message) {
            super(message);
        }
    }

    /**
     * Sends the cell to an idle worker (a new one if none is idle); the future completes when the worker has
     * stored the cell's record, or with {@link WorkerDied}. At most {@code size} cells may be in flight.
     */
    synchronized CompletableFuture<Void> submit(CellPlan cell) throws IOException {
        workers.removeIf(w -> !w.process.isAlive() && w.current == null);
        Worker idle = workers.stream().filter(w -> w.current == null).findFirst().orElse(null);
        if (idle == null) {
            if (workers.size() >= size) {
                throw new IllegalStateException("all " + size + " workers are busy");
            }
            idle = new Worker(launch());
            workers.add(idle);
        }
        return idle.send(cell);
    }

    /** The running cells' progress in percent, for the matrix bar's status. */
    String status(Map<String, String> labels) {
        return progress.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %d%%",
                labels.getOrDefault(e.getKey(), e.getKey()), e.getValue()[1] == 0 ? 0
                        : 100 * e.getValue()[0] / e.getValue()[1])).sorted().collect(Collectors.joining(", "));
    }

    private Process launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The same JVM options (heap, system properties), but never a second debugger on the same port.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")).forEach(command::add);
        // The read budgets in force here (kit ReadBudget), also where set after start rather than on the command line.
        System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("plab.limit."))
                .sorted().forEach(p -> command.add("-D" + p + "=" + System.getProperty(p)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CellWorker.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Writer in = process.outputWriter(StandardCharsets.UTF_8);
        in.write(CellWorker.line(start) + "\n");
        in.flush();
        return process;
    }

    @Override
    public synchronized void close() {
        for (Worker w : workers) {
            try {
                w.process.getOutputStream().close();
                if (!w.process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
                    w.process.destroy();
                }
            } catch (IOException | InterruptedException e) {
                w.process.destroy();
            }
        }
        workers.clear();
    }

    /** One worker process and the cell it runs. */
    private final class Worker {
        private final Process process;
        private volatile CellPlan current;
        private volatile CompletableFuture<Void> ended;
        /** What the worker said of a plugin ending it, if it did. */
        private volatile String lastWords;

        Worker(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "plab-worker-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        CompletableFuture<Void> send(CellPlan cell) throws IOException {
            current = cell;
            ended = new CompletableFuture<>();
            CompletableFuture<Void> out = ended;
            Writer in = process.outputWriter(StandardCharsets.UTF_8);
            in.write(CellWorker.line(cell) + "\n");
            in.flush();
            return out;
        }

        /** Follows the worker's answers; a line that is not one is a plugin's output, shown as it is. */
        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    CellWorker.Message m = CellWorker.Message.parse(line);
                    if (m == null) {
                        synchronized (log) {
                            log.println(line);
                            log.flush();
                        }
                    } else if (m.kind().equals("exit")) {
                        lastWords = m.text();
                    } else if (m.kind().equals("progress")) {
                        progress.put(m.id(), new long[] {m.done(), m.total()});
                    } else if (m.kind().equals("ended") && current != null && m.id().equals(current.id())) {
                        finish(null);
                    }
                }
            } catch (IOException e) {
                // the pipe broke: the worker is gone, handled below
            }
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = -1;
            }
            CellPlan cell = current;
            if (cell != null) {
                finish(new WorkerDied("cell " + cell.label() + ": its worker process "
                        + process.pid() + " exited with code " + code + " before storing a result" + (lastWords != null
                        ? ": " + lastWords : " (out of memory? killed?); run the matrix again to retry it, or with"
                        + " --jobs 1 to run it in one process")));
            }
        }

        private void finish(WorkerDied died) {
            CompletableFuture<Void> f = ended;
            progress.remove(current.id());
            synchronized (CellWorkers.this) {
                current = null;
            }
            if (died == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(died);
            }
        }
    }
}
