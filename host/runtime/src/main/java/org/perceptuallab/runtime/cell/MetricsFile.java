package org.perceptuallab.runtime.cell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.perceptuallab.api.MetricsSink;

/**
 * The metrics sink as a JSON-lines file, {@code {"series": ..., "step": ..., "value": ...}} per point,
 * each line flushed as it is written: a kill loses at most the line being written, which the reader
 * skips. Reading keeps each series' last value per step, so a resumed cell that records steps again
 * replaces them.
 */
public final class MetricsFile implements MetricsSink, AutoCloseable {
    /** The file's name in the state folder. */
    public static final String NAME = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private BufferedWriter out;

    MetricsFile(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void record(String series, long step, double value) {
        try {
            if (out == null) {
                boolean torn = endsMidLine();
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                if (torn) {
                    out.write('\n'); // close the line a kill cut short, so this point starts a line of its own
                }
            }
            // NaN and infinity are not JSON numbers: they travel as strings.
            String number = Double.isFinite(value) ? Double.toString(value) : JSON.writeValueAsString(
                    Double.toString(value));
            out.write("{\"series\":" + JSON.writeValueAsString(series) + ",\"step\":" + step + ",\"value\":"
                    + number + "}\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics file " + file, e);
        }
    }

    private boolean endsMidLine() throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return false;
        }
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            channel.read(last, channel.size() - 1);
            return last.get(0) != '\n';
        }
    }

    /** Every series recorded so far, by name in order of first appearance, values in step order. */
    public synchronized Map<String, List<Double>> series() {
        return read(file);
    }

    /** The series of a metrics file; an absent file has none. */
    public static Map<String, List<Double>> read(Path file) {
        Map<String, TreeMap<Long, Double>> points = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode point;
                try {
                    point = JSON.readTree(line);
                } catch (IOException torn) {
                    continue; // the line a kill cut short
                }
                if (point == null || !point.path("series").isTextual() || !point.path("step").canConvertToLong()) {
                    continue;
                }
                JsonNode v = point.path("value");
                double value = v.isNumber() ? v.asDouble() : Double.parseDouble(v.asText("NaN"));
                points.computeIfAbsent(point.get("series").asText(), k -> new TreeMap<>())
                        .put(point.get("step").asLong(), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metrics file " + file, e);
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        points.forEach((name, byStep) -> out.put(name, List.copyOf(byStep.values())));
        return out;
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the metrics file " + file, e);
            } finally {
                out = null;
            }
        }
    }
}
