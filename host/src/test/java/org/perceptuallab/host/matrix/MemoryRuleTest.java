package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.Lab;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.Registry;

/**
 * The api's one memory rule holds without the host's checked wrapper: every shipped loss, made by its family
 * directly and called in a loop whose steps give it inputs of a sub-manager they close, leaves nothing behind
 * in the manager above the steps or in its constants' manager (after the first step, where a loss may make
 * constants that depend on the image size, once).
 */
class MemoryRuleTest {

    private static int arrays(NDManager manager) {
        return ((BaseNDManager) manager).getManagedArrays().size();
    }

    @Test
    void everyShippedLossMadeDirectlyLeavesNothingBehindAcrossSteps() {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        try (Lab lab = MatrixFixtures.lab(0); NDManager base = lab.manager().newSubManager()) {
            for (Registry.Entry<LossFamily> entry : lab.losses().families().entries()) {
                LossFamily family = entry.extension();
                for (ObjectNode example : family.examples()) {
                    try (NDManager constants = base.newSubManager();
                         Loss loss = family.create(family.params().resolve("loss '" + family.id() + "'", example),
                                 LabContext.of(constants, 0, lab.losses()))) {
                        int above = 0;
                        int held = 0;
                        for (int step = 0; step < 4; step++) {
                            if (step == 1) {
                                above = arrays(base);
                                held = arrays(constants);
                            }
                            try (NDManager scope = base.newSubManager()) {
                                NDArray x = scope.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
                                NDArray y = scope.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
                                loss.distance(x, y).toFloatArray();
                            }
                        }
                        if (arrays(base) != above || arrays(constants) != held) {
                            leaks.add(family.id() + " " + example + ": " + (arrays(base) - above) + " above the steps, "
                                    + (arrays(constants) - held) + " among its constants");
                        }
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).as("examples checked").isGreaterThan(20);
        assertThat(leaks).isEmpty();
    }
}
