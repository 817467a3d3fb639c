package org.perceptuallab.host;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.util.List;

/** Every row of a CSV text, read back by the library plab writes it with. */
public final class CsvRows {
    private CsvRows() {
    }

    public static List<List<String>> read(String csv) throws IOException {
        try (MappingIterator<List<String>> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .readerForListOf(String.class).readValues(csv)) {
            return it.readAll();
        }
    }
}
