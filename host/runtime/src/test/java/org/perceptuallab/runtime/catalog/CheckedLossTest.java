package org.perceptuallab.runtime.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/** The catalogue's checks around {@link Loss#distancesFrom}: inputs before the plugin runs, its answer after. */
class CheckedLossTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** A family whose loss is the mean squared difference, with the given {@code distancesFrom}. */
    private static LossFamily family(String id, BiFunction<NDArray, List<NDArray>, List<NDArray>> from) {
        return new LossFamily() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String summary() {
                return "test loss";
            }

            @Override
            public ParamSpec params() {
                return ParamSpec.of();
            }

            @Override
            public Loss create(Params params, LossContext context) {
                return new Loss() {
                    @Override
                    public LossSpec spec() {
                        return LossSpec.of(id);
                    }

                    @Override
                    public NDArray distance(NDArray x, NDArray y) {
                        return Ops.meanPerSample(x.sub(y).square());
                    }

                    @Override
                    public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
                        return from == null ? Loss.super.distancesFrom(x, ys) : from.apply(x, ys);
                    }
                };
            }
        };
    }

    private static Loss create(LossFamily family, NDManager m) {
        LossCatalog catalog = new LossCatalog();
        catalog.families().add(family, "test");
        return catalog.create(LossSpec.of(family.id()), LabContext.of(m, 0, catalog));
    }

    private static NDArray images(NDManager m, float value) {
        return m.full(new Shape(2, 3, 8, 8), value);
    }

    @Test
    void theDefaultAnswersEachCandidateAsItsPairedDistanceAndLeavesNoTemporaries() {
        try (NDManager m = manager.newSubManager(); Loss loss = create(family("plain", null), m)) {
            NDArray x = images(m, 0);
            List<NDArray> d = loss.distancesFrom(x, List.of(images(m, 0.5f), images(m, -0.25f)));
            assertThat(d.get(0).toFloatArray()).containsExactly(0.25f, 0.25f);
            assertThat(d.get(1).toFloatArray()).containsExactly(0.0625f, 0.0625f);
            assertThat(m.getManagedArrays()).as("x, the two candidates and the two results").hasSize(5);
        }
    }

    @Test
    void aCandidateOfAnotherShapeIsRefusedBeforeThePluginRunsNamingTheLoss() {
        try (NDManager m = manager.newSubManager();
             Loss loss = create(family("never-called", (x, ys) -> {
                 throw new AssertionError("the plugin ran");
             }), m)) {
            assertThatThrownBy(() -> loss.distancesFrom(images(m, 0), List.of(images(m, 0), m.zeros(new Shape(1, 3, 8, 8)))))
                    .isInstanceOf(PlabException.class).hasMessageContaining("loss 'never-called'");
        }
    }

    @Test
    void tooFewResultsFailNamingThePluginsStep() {
        try (NDManager m = manager.newSubManager();
             Loss loss = create(family("one-short", (x, ys) -> List.of(Ops.meanPerSample(x.sub(ys.get(0)).abs()))), m)) {
            assertThatThrownBy(() -> loss.distancesFrom(images(m, 0), List.of(images(m, 0), images(m, 1))))
                    .isInstanceOf(PluginFailure.class).hasMessageContaining("loss 'one-short': distancesFrom")
                    .hasMessageContaining("1 distance arrays for 2 candidate batches");
        }
    }

    @Test
    void aNonFiniteResultFailsNamingThePair() {
        try (NDManager m = manager.newSubManager();
             Loss loss = create(family("nan-second", (x, ys) -> List.of(Ops.meanPerSample(x.sub(ys.get(0)).abs()),
                     // Of the second batch, only its second pair's distance divides by a zero difference.
                     Ops.meanPerSample(x.sub(ys.get(1)).abs()).div(x.getManager().create(new float[] {1, 0})))), m)) {
            assertThatThrownBy(() -> loss.distancesFrom(images(m, 0), List.of(images(m, 0), images(m, 0))))
                    .isInstanceOf(PluginFailure.class).hasMessageContaining("distancesFrom")
                    .hasMessageContaining("NaN or infinity for candidate batch 2 of 2, pair(s) [1] of inputs");
        }
    }
}
