package org.perceptuallab.api;

import java.util.List;

/**
 * A table the report shows for one cell (per-category scores, per-pair figures), described by the
 * experiment so the host renders it without knowing the experiment.
 *
 * @param title shown above the table
 * @param columns column headings
 * @param rows one list per row, as long as {@code columns}; each cell a String or a Number
 */
public record Table(String title, List<String> columns, List<List<Object>> rows) {

    public Table {
        columns = List.copyOf(columns);
        int width = columns.size();
        String name = title;
        rows = rows.stream().map(r -> {
            if (r.size() != width) {
                throw new IllegalArgumentException("table '" + name + "': a row has " + r.size()
                        + " cells for " + width + " columns");
            }
            r.forEach(cell -> {
                if (!(cell instanceof String || cell instanceof Number)) {
                    throw new IllegalArgumentException("table '" + name + "': a cell must be a String or a"
                            + " Number, got " + cell);
                }
            });
            return List.copyOf(r);
        }).toList();
    }
}
