package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.runtime.catalog.Registry;

/** Prints installed extensions and their parameter specs as tables or JSON (the listing commands). */
public final class SpecText {
    private SpecText() {
    }

    /**
     * Lists registry entries: id, summary, origin and parameters, as a table or as a JSON array.
     *
     * @param noun what the entries are, for the count line ("loss families")
     */
    public static <T> void list(PrintWriter out, List<Registry.Entry<T>> entries, Function<T, String> id,
                                Function<T, String> summary, Function<T, ParamSpec> params, boolean json,
                                String noun) throws JsonProcessingException {
        if (json) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (Registry.Entry<T> e : entries) {
                ObjectNode o = array.addObject();
                o.put("id", id.apply(e.extension()));
                o.put("summary", summary.apply(e.extension()));
                o.put("plugin", e.origin());
                o.set("params", json(params.apply(e.extension())));
            }
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
            return;
        }
        for (Registry.Entry<T> e : entries) {
            out.printf("%-12s %s  [%s]%n", id.apply(e.extension()), summary.apply(e.extension()), e.origin());
            print(out, params.apply(e.extension()));
        }
        out.printf("%d %s installed%n", entries.size(), noun);
    }

    public static void print(PrintWriter out, ParamSpec spec) {
        if (spec.params().isEmpty()) {
            out.println("      (no parameters)");
        }
        for (Param<?> p : spec.params()) {
            String def = p.defaultValue() == null ? "-" : p.defaultValue().toString();
            out.printf("      %-16s %-7s %-22s %-18s %s%n", p.name(), p.type().name().toLowerCase(), def,
                    p.rangeText(), p.help());
        }
    }

    public static ArrayNode json(ParamSpec spec) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Param<?> p : spec.params()) {
            ObjectNode o = array.addObject();
            o.put("name", p.name());
            o.put("type", p.type().name().toLowerCase());
            o.set("default", p.defaultValue());
            if (p.min() != null) {
                o.put("min", p.min());
            }
            if (p.max() != null) {
                o.put("max", p.max());
            }
            if (!p.choices().isEmpty()) {
                p.choices().forEach(o.putArray("choices")::add);
            }
            o.put("help", p.help());
        }
        return array;
    }
}
