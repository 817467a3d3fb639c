package org.perceptuallab.plugins.pixel;

import java.util.Set;
import org.perceptuallab.testkit.SharedGoldenCases;

/** Every shared golden case of this plugin's losses. */
class PixelGoldenTest extends SharedGoldenCases {
    @Override
    protected Set<String> losses() {
        return Set.of("l1", "l2", "lp", "ssim", "grad", "grad3", "lap1", "pyramid", "window", "sum");
    }

    @Override
    protected Set<String> requiredCases() {
        return Set.of("l2", "l1", "lp-0.5", "ssim", "grad", "grad3", "lap1", "pyramid-l2");
    }
}
