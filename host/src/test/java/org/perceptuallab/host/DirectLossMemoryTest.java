package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.Registry;

/**
 * The api's one memory rule holds without the catalogue's wrapper: a loss made by its family directly and
 * called in a loop, each call inside a sub-manager of the caller's that its inputs are attached to for the
 * call, leaves the number of live arrays (the caller's and the loss's constants') as it was. Every shipped
 * family, each of its example configurations.
 */
class DirectLossMemoryTest {
    private static final int CALLS = 4;
    private static Lab lab;

    @BeforeAll
    static void openTheDistribution() {
        lab = PluginLoadingTest.labOver(Path.of(System.getProperty("plab.pluginsDir", "../target/plugins")));
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    private static int live(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    /**
     * Live arrays of the caller's manager and the loss's after each of {@link #CALLS} calls; the first call may
     * build what the loss makes once (a lazily sized constant).
     */
    private static int[] liveAfterEachCall(LossFamily family, ObjectNode example) {
        int[] live = new int[CALLS];
        try (NDManager owner = lab.manager().newSubManager(); NDManager caller = lab.manager().newSubManager()) {
            Params params = family.params().resolve("loss '" + family.id() + "'", example);
            LossContext context = LabContext.of(owner, lab.settings().seed(), lab.losses());
            try (Loss loss = family.create(params, context)) {
                NDArray x = caller.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
                NDArray y = caller.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
                for (int i = 0; i < CALLS; i++) {
                    try (NDManager call = caller.newSubManager()) {
                        call.tempAttachAll(x, y);
                        assertThat(loss.distance(x, y).toFloatArray()).hasSize(2);
                    }
                    live[i] = live(caller) + live(owner);
                }
            }
        }
        return live;
    }

    @Test
    void aLossMadeByItsFamilyKeepsTheRuleInALoop() {
        List<String> growing = new ArrayList<>();
        int checked = 0;
        for (Registry.Entry<LossFamily> entry : lab.losses().families().entries()) {
            for (ObjectNode example : entry.extension().examples()) {
                int[] live = liveAfterEachCall(entry.extension(), example);
                if (live[CALLS - 1] != live[1]) {
                    growing.add(entry.extension().id() + " " + example + ": " + Arrays.toString(live));
                }
                checked++;
            }
        }
        assertThat(checked).as("examples checked").isGreaterThan(20);
        assertThat(growing).as("losses whose live arrays grow call by call").isEmpty();
    }

    @Test
    void aLossThatKeepsAnArrayPerCallIsCaught() {
        LossFamily leaky = new LossFamily() {
            public String id() {
                return "leaky";
            }

            public String summary() {
                return "keeps a copy of every target among its constants";
            }

            public ParamSpec params() {
                return ParamSpec.of();
            }

            public Loss create(Params params, LossContext context) {
                return new Loss() {
                    public LossSpec spec() {
                        return LossSpec.of("leaky");
                    }

                    public NDArray distance(NDArray x, NDArray y) {
                        y.duplicate().attach(context.manager());
                        return x.sub(y).square().reshape(x.getShape().get(0), -1).mean(new int[] {1});
                    }
                };
            }
        };
        int[] live = liveAfterEachCall(leaky, ParamSpec.of().resolve("leaky", null).json());
        assertThat(live[CALLS - 1]).isEqualTo(live[1] + CALLS - 2);
    }
}
