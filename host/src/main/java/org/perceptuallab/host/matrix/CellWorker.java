package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.ExitGuard;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.run.CellPlan;
import org.perceptuallab.host.run.RunConfiguration;

/**
 * A {@code plab matrix --jobs N} worker: a process of its own, because the engine's thread count, its
 * random generator and the one gradient collector are process-wide, so cells side by side in one JVM would
 * share them. It reads its settings (first line of stdin, JSON) and then one {@link CellJob} per line, runs
 * each with {@link CellExecutor} (which stores the record atomically) and answers on stdout with
 * {@link #PREFIX}{@code ended ID}, and {@link #PREFIX}{@code progress ID DONE TOTAL} while a cell runs; when a
 * plugin ends the process, {@link #PREFIX}{@code exit WHY} names it. It exits at the end of its input, and at once when the planning process dies, so that a killed matrix leaves no
 * cell running behind the rerun's back.
 */
public final class CellWorker {
    /** Every line of the protocol starts with this; other output of plugins goes to stderr. */
    static final String PREFIX = "plab-worker ";
    /** The kind of the line that says which plugin is ending the worker, and how. */
    private static final String EXIT = "exit ";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Progress lines at most this often per cell. */
    private static final long PROGRESS_MILLIS = 250;

    private CellWorker() {
    }

    /**
     * What a worker starts with: the run's configuration, whole (its settings give the worker's share of the
     * threads), and the planning process's plugins for provenance.
     */
    record Start(RunConfiguration config, List<Provenance.LoadedPlugin> plugins) {
    }

    public static void main(String[] args) throws Exception {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ExitGuard.onPluginExit(why -> protocol.println(PREFIX + EXIT + why));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Start start = JSON.readValue(in.readLine(), Start.class);
        RunConfiguration config = start.config();
        try (Lab lab = new Lab(config.settings())) {
            CellExecutor executor = new CellExecutor(lab, new ResultStore(config.output()), config.shard(),
                    config.cacheFolder(), start.plugins());
            for (String line; (line = in.readLine()) != null; ) {
                CellPlan cell = JSON.readValue(line, CellPlan.class);
                executor.run(cell, (task, total) -> progress(protocol, cell.id(), total));
                protocol.println(PREFIX + "ended " + cell.id());
            }
        }
    }

    private static Progress progress(PrintStream protocol, String id, long total) {
        return new Progress() {
            private long done;
            private long shown;

            @Override
            public void step(long n) {
                done += n;
                long now = System.currentTimeMillis();
                if (now - shown >= PROGRESS_MILLIS || done >= total) {
                    shown = now;
                    protocol.println(PREFIX + "progress " + id + " " + done + " " + total);
                }
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** The JSON line of a start or a job. */
    static String line(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A parsed protocol line: {@code ended ID}, {@code progress ID DONE TOTAL} or {@code exit WHY} (as text). */
    record Message(String kind, String id, long done, long total, String text) {
        static Message parse(String line) {
            if (!line.startsWith(PREFIX)) {
                return null;
            }
            String body = line.substring(PREFIX.length());
            if (body.startsWith(EXIT)) {
                return new Message(EXIT.trim(), null, 0, 0, body.substring(EXIT.length()));
            }
            String[] part = body.split(" ");
            List<Long> numbers = new ArrayList<>();
            for (int i = 2; i < part.length; i++) {
                numbers.add(Long.parseLong(part[i]));
            }
            return new Message(part[0], part[1], numbers.isEmpty() ? 0 : numbers.get(0),
                    numbers.size() < 2 ? 0 : numbers.get(1), null);
        }
    }
}
