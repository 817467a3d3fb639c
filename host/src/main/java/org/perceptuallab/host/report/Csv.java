package org.perceptuallab.host.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV text written by a CSV library (RFC 4180 quoting of commas, quotes, line breaks and edge spaces), so
 * that a file name or an error message holding any of them stays in its one cell.
 */
public final class Csv {
    private static final CsvMapper MAPPER = new CsvMapper();

    private Csv() {
    }

    /** The header line, then one line per row; a null cell is empty. */
    public static String write(List<String> header, List<List<String>> rows) {
        List<List<String>> lines = new ArrayList<>(rows.size() + 1);
        lines.add(header);
        for (List<String> row : rows) {
            lines.add(row.stream().map(cell -> cell == null ? "" : cell).toList());
        }
        try {
            return MAPPER.writer(CsvSchema.emptySchema()).writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lists of text are always CSV", e);
        }
    }
}
