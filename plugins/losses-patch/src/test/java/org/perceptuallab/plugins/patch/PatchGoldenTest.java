package org.perceptuallab.plugins.patch;

import java.util.Set;
import org.perceptuallab.testkit.SharedGoldenCases;

/** Every shared golden case of this plugin's losses. */
class PatchGoldenTest extends SharedGoldenCases {
    @Override
    protected Set<String> losses() {
        return Set.of("patch-rbf", "patch-mmd", "mmd-exact", "mmd-approx", "mmd++", "mmd+++", "patch-swd", "swd++");
    }

    @Override
    protected Set<String> requiredCases() {
        return Set.of("patch-rbf-3", "patch-rbf-11", "mmd-exact", "patch-mmd-rbf", "patch-mmd-dot", "mmd-approx",
                "mmd-approx-cm", "mmd-approx-gap", "mmd++", "patch-swd");
    }
}
