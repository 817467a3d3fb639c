package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;

/** Prints a parameter spec as an indented table or as JSON (shared by the listing commands). */
public final class SpecText {
    private SpecText() {
    }

    public static void print(PrintWriter out, ParamSpec spec) {
        if (spec.params().isEmpty()) {
            out.println("      (no parameters)");
        }
        for (Param p : spec.params()) {
            String def = p.defaultValue() == null ? "-" : p.defaultValue().toString();
            out.printf("      %-16s %-7s %-22s %-18s %s%n", p.name(), p.type().name().toLowerCase(), def,
                    p.rangeText(), p.help());
        }
    }

    public static ArrayNode json(ParamSpec spec) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Param p : spec.params()) {
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
