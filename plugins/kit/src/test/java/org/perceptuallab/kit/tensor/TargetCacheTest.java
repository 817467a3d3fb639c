package org.perceptuallab.kit.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TargetCacheTest {

    /** The derived statistic of a target: its doubled values. */
    private static List<NDArray> doubled(NDArray y, AtomicInteger calls) {
        calls.incrementAndGet();
        return List.of(y.mul(2));
    }

    @Test
    void theSameTargetValuesInAnotherArrayAreAHitAndOtherValuesAreComputedAgain() {
        try (NDManager m = NDManager.newBaseManager(); TargetCache cache = new TargetCache(m.newSubManager())) {
            AtomicInteger calls = new AtomicInteger();
            NDArray x = m.zeros(new Shape(2, 3));
            NDArray y = m.arange(6f).reshape(2, 3);
            for (NDArray same : new NDArray[] {y, y, y.duplicate()}) {
                assertThat(cache.get(same, x, t -> doubled(t, calls)).get(0).toFloatArray())
                        .containsExactly(0, 2, 4, 6, 8, 10);
            }
            assertThat(calls).hasValue(1);
            assertThat(cache.computations()).isEqualTo(1);

            assertThat(cache.get(y.add(1), x, t -> doubled(t, calls)).get(0).toFloatArray())
                    .containsExactly(2, 4, 6, 8, 10, 12);
            assertThat(cache.get(y.reshape(3, 2), x, t -> doubled(t, calls)).get(0).getShape())
                    .as("other shape, same values").isEqualTo(new Shape(3, 2));
            assertThat(cache.computations()).isEqualTo(3);
        }
    }

    @Test
    void aTargetChangedInPlaceAfterTheFirstCallIsComputedAgain() {
        try (NDManager m = NDManager.newBaseManager(); TargetCache cache = new TargetCache(m.newSubManager())) {
            AtomicInteger calls = new AtomicInteger();
            NDArray x = m.zeros(new Shape(3));
            NDArray y = m.create(new float[] {1, 2, 3});
            cache.get(y, x, t -> doubled(t, calls));
            y.set(new float[] {4, 5, 6});
            assertThat(cache.get(y, x, t -> doubled(t, calls)).get(0).toFloatArray()).containsExactly(8, 10, 12);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void aTargetThatNeedsAGradientIsNeverCachedAndKeepsItsGradient() {
        try (NDManager m = NDManager.newBaseManager(); TargetCache cache = new TargetCache(m.newSubManager())) {
            AtomicInteger calls = new AtomicInteger();
            NDArray x = m.zeros(new Shape(3));
            NDArray y = m.create(new float[] {1, 2, 3});
            y.setRequiresGradient(true);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray d = cache.get(y, x, t -> doubled(t, calls)).get(0);
                gc.backward(d.sum());
            }
            cache.get(y, x, t -> doubled(t, calls));
            assertThat(calls).hasValue(2);
            assertThat(cache.computations()).isZero();
            assertThat(y.getGradient().toFloatArray()).containsExactly(2, 2, 2);
        }
    }

    @Test
    void whatACallComputesFromTheCachedArraysIsReleasedWithTheCallNotKeptInTheCache() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDManager constants = m.newSubManager();
            try (TargetCache cache = new TargetCache(constants)) {
                NDArray y = m.ones(new Shape(4, 4));
                AtomicInteger calls = new AtomicInteger();
                cache.get(y, y, t -> doubled(t, calls));
                int afterFirst = arraysUnder(constants);
                assertThat(afterFirst).as("the target's copy and its derived array").isEqualTo(2);
                for (int i = 0; i < 50; i++) {
                    try (NDManager call = m.newSubManager()) {
                        NDArray x = call.zeros(new Shape(4, 4));
                        NDArray derived = cache.get(y, x, t -> doubled(t, calls)).get(0);
                        assertThat(derived.getManager()).isSameAs(call);
                        derived.add(x).mul(3); // results join their first operand's manager: the call's
                    }
                }
                assertThat(arraysUnder(constants)).isEqualTo(afterFirst);
                cache.get(y.add(1), y, t -> doubled(t, calls));
                assertThat(arraysUnder(constants)).as("the earlier target's arrays released").isEqualTo(afterFirst);
            }
            assertThat(arraysUnder(constants)).as("closed with the cache").isZero();
        }
    }

    private static int arraysUnder(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}
