package org.perceptuallab.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.optim.PixelOptimiser;
import org.perceptuallab.kit.optim.StepDecay;

class ObjectiveScopeTest {

    @Test
    void everyObjectiveEvaluationOfAPixelOptimisationIsOneScopeOfItsOwn() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 1, 2, 2));
            List<ObjectiveScope> seen = new ArrayList<>();
            PixelOptimiser.minimise(x, image -> {
                seen.add(ObjectiveScope.current().orElseThrow());
                return image.sub(0.5f).square().sum();
            }, new StepDecay(0.1, 1, 1), 3, "test", (step, value) -> { });
            assertThat(seen).hasSize(3).doesNotHaveDuplicates();
            assertThat(ObjectiveScope.current()).isEmpty();
        }
    }

    @Test
    void keptArraysLiveUntilTheScopeClosesAndNestedScopesRestoreTheOuterOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray kept = m.ones(new Shape(3));
            try (ObjectiveScope outer = ObjectiveScope.open(m)) {
                outer.keep("entry", List.of(kept));
                try (ObjectiveScope inner = ObjectiveScope.open(m)) {
                    assertThat(ObjectiveScope.current()).contains(inner);
                    assertThat(inner.kept(String.class)).isEmpty();
                }
                assertThat(ObjectiveScope.current()).contains(outer);
                assertThat(outer.kept(String.class)).containsExactly("entry");
                assertThat(kept.isReleased()).isFalse();
            }
            assertThat(kept.isReleased()).isTrue();
            assertThat(ObjectiveScope.current()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void anOuterScopeCannotCloseBeforeItsInnerOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            ObjectiveScope outer = ObjectiveScope.open(m);
            ObjectiveScope inner = ObjectiveScope.open(m);
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class);
            inner.close();
            outer.close();
            assertThat(ObjectiveScope.current()).isEmpty();
        }
    }
}
