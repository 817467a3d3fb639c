package org.perceptuallab.host;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * The reader of the YAML people write for plab (matrix files, {@code settings.yaml}): a key given twice is an
 * error, and yes, no, on and off stay words, so a boolean is written true or false and nothing else passes
 * (a misspelt switch is refused by its key's check instead of turning silently into false).
 */
public final class StrictYaml {
    /** Thread-safe once configured, as every Jackson mapper. */
    public static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private StrictYaml() {
    }
}
