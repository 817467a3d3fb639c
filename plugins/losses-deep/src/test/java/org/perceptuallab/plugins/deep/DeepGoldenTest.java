package org.perceptuallab.plugins.deep;

import java.util.Set;
import org.perceptuallab.testkit.SharedGoldenCases;

/** Every shared golden case of this plugin's losses, the 58 MB full VGG16 file included. */
class DeepGoldenTest extends SharedGoldenCases {
    @Override
    protected Set<String> losses() {
        return Set.of("vgg", "alexnet", "lpips");
    }

    @Override
    protected Set<String> requiredCases() {
        return Set.of("vgg-head-l1", "vgg-head-l2", "vgg-head-gram", "vgg-head-gram_trace", "vgg-head-cx",
                "vgg-head-relu-gram", "vgg-full-l1");
    }
}
