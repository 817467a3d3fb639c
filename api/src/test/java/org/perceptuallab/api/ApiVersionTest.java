package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The version the code states is the one the build names the jar by (japicmp reads it there) and plugins require. */
class ApiVersionTest {
    @Test
    void theCodeAndTheBuildStateOneVersion() {
        assertThat(ApiVersion.CURRENT).isEqualTo(System.getProperty("plab.api.version"));
        assertThat(ApiVersion.REQUIRES).isEqualTo(System.getProperty("plab.api.requires"))
                .isEqualTo(">=" + ApiVersion.CURRENT.split("\\.")[0] + ".0.0 & <"
                        + (Integer.parseInt(ApiVersion.CURRENT.split("\\.")[0]) + 1) + ".0.0");
    }
}
