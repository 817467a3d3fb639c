package org.perceptuallab.runtime.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state folder's promises: atomic checkpoints, resumption, and a metrics file that survives a kill. */
class FolderCellStateTest {
    @TempDir
    Path dir;

    @Test
    void aNewFolderIsNotResumingAndOneWithAnEarlierCheckpointIs() throws IOException {
        try (FolderCellState fresh = FolderCellState.open(dir.resolve("state"))) {
            assertThat(fresh.resuming()).isFalse();
            assertThat(fresh.find("codes.npy")).isEmpty();
            fresh.write("codes.npy", out -> out.write(new byte[] {1, 2, 3}));
        }
        try (FolderCellState again = FolderCellState.open(dir.resolve("state"))) {
            assertThat(again.resuming()).isTrue();
            assertThat(again.find("codes.npy")).hasValueSatisfying(f -> assertThat(f).hasBinaryContent(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void aCheckpointWriteThatFailsLeavesTheOldCheckpointWholeAndNoTemporaryFile() throws IOException {
        try (FolderCellState state = FolderCellState.open(dir)) {
            state.write("model.bin", out -> out.write("epoch 1".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> state.write("model.bin", out -> {
                out.write("epoch 2, half wri".getBytes(StandardCharsets.UTF_8));
                throw new IOException("disk full");
            })).hasMessage("disk full");
            assertThat(dir.resolve("model.bin")).hasContent("epoch 1");
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("model.bin");
            }
        }
    }

    @Test
    void leftoversOfAWriteCutShortByAKillAreRemovedOnOpen() throws IOException {
        Files.writeString(dir.resolve(".partial-1234-model.bin"), "half");
        try (FolderCellState state = FolderCellState.open(dir)) {
            assertThat(dir.resolve(".partial-1234-model.bin")).doesNotExist();
            assertThat(state.resuming()).isFalse();
        }
    }

    @Test
    void namesOutsideTheFolderAndTheMetricsFileItselfAreRefused() {
        try (FolderCellState state = FolderCellState.open(dir)) {
            for (String name : List.of("../escape.bin", "sub/dir.bin", "", MetricsFile.NAME)) {
                assertThatThrownBy(() -> state.write(name, out -> { })).as(name)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain file name");
            }
        }
    }

    @Test
    void metricsReadBackInStepOrderWithReRecordedStepsReplacedAndATornLineSkippedNotSwallowingTheNext() throws IOException {
        try (FolderCellState state = FolderCellState.open(dir)) {
            state.metrics().record("loss", 0, 3.0);
            state.metrics().record("loss", 1, 2.0);
            state.metrics().record("lr", 0, 0.01);
            state.metrics().record("loss", 2, Double.NaN);
        }
        // A resumed run from the checkpoint of step 1 records steps 1 and 2 again; a kill cut the last line.
        try (FolderCellState state = FolderCellState.open(dir)) {
            state.metrics().record("loss", 1, 1.5);
            state.metrics().record("loss", 2, 1.0);
            assertThat(state.metricsFile().series()).containsOnlyKeys("loss", "lr");
        }
        Files.writeString(dir.resolve(MetricsFile.NAME), "{\"series\":\"loss\",\"step\":3,\"va", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        var series = MetricsFile.read(dir.resolve(MetricsFile.NAME));
        assertThat(series.get("loss")).containsExactly(3.0, 1.5, 1.0);
        assertThat(series.get("lr")).containsExactly(0.01);
        // The next run's first point is not lost in the torn line.
        try (FolderCellState state = FolderCellState.open(dir)) {
            state.metrics().record("loss", 3, 0.5);
            assertThat(state.metricsFile().series().get("loss")).containsExactly(3.0, 1.5, 1.0, 0.5);
        }
    }

    @Test
    void aNaNValueRoundTrips() {
        try (FolderCellState state = FolderCellState.open(dir)) {
            state.metrics().record("loss", 0, Double.NaN);
            state.metrics().record("loss", 1, Double.POSITIVE_INFINITY);
            assertThat(state.metricsFile().series().get("loss")).containsExactly(Double.NaN, Double.POSITIVE_INFINITY);
        }
    }
}
