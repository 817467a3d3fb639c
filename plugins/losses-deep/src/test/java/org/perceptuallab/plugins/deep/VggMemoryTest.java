package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.ResidentMemory;

/** A short version of {@link AdamMemoryRun}: resident memory stays flat over an optimisation under vgg. */
class VggMemoryTest {

    @Test
    void residentMemoryStaysFlatOverAdamSteps() {
        // Off Linux the reading is -1 and the growth 0: the test would pass measuring nothing.
        assumeTrue(ResidentMemory.mib() > 0, "skipped: resident memory is read from /proc/self/status (Linux only)");
        Map<Integer, Long> rss = AdamMemoryRun.run("vgg", "{\"seed\": 1}", 64, 150, 50, 150);
        double growth = (rss.get(150) - rss.get(50)) / (double) rss.get(50);
        System.out.printf("vgg Adam 64x64: VmRSS %d MiB at step 50, %d MiB at step 150 (%.2f%%)%n",
                rss.get(50), rss.get(150), 100 * growth);
        assertThat(growth).isLessThan(0.05);
    }
}
