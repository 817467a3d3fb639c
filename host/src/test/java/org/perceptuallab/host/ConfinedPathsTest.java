package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;

class ConfinedPathsTest {
    private static final String WHAT = "the file of plugin 'x' in plab-installed.json";

    @TempDir
    Path tmp;

    private Path root() throws Exception {
        return Files.createDirectories(tmp.resolve("root"));
    }

    @Test
    void aNameOrSubPathInsideTheRootResolvesUnderIt() throws Exception {
        Path root = root();
        assertThat(ConfinedPaths.under(root, "shared.jar", WHAT)).isEqualTo(root.resolve("shared.jar"));
        assertThat(ConfinedPaths.under(root, "a/./b/../c.jar", WHAT)).isEqualTo(root.resolve("a/c.jar"));
        // A folder that does not exist yet is no escape: nothing under it can be a link.
        assertThat(ConfinedPaths.under(tmp.resolve("not-yet"), "x.jar", WHAT)).isEqualTo(tmp.resolve("not-yet/x.jar"));
    }

    @Test
    void dotDotEscapesAreRefusedNamingWhatAndTheValue() throws Exception {
        Path root = root();
        for (String escape : new String[] {"../outside.txt", "a/../../outside.txt", "..", "a/../../root-sibling/x"}) {
            assertThatThrownBy(() -> ConfinedPaths.under(root, escape, WHAT)).isInstanceOf(PlabException.class)
                    .hasMessageContaining(WHAT).hasMessageContaining("'" + escape + "'")
                    .hasMessageContaining("leads out of " + root);
        }
    }

    @Test
    void absolutePathsAreRefused() throws Exception {
        Path root = root();
        for (String absolute : new String[] {"/etc/passwd", root.resolve("x.jar").toString(), "\\\\server\\share",
                "C:\\Windows\\x.jar"}) {
            assertThatThrownBy(() -> ConfinedPaths.under(root, absolute, WHAT)).isInstanceOf(PlabException.class)
                    .hasMessageContaining(WHAT).hasMessageContaining("absolute path");
        }
    }

    @Test
    void emptyNullTheRootItselfAndNoPathAreRefused() throws Exception {
        Path root = root();
        assertThatThrownBy(() -> ConfinedPaths.under(root, "", WHAT)).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> ConfinedPaths.under(root, null, WHAT)).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> ConfinedPaths.under(root, ".", WHAT)).hasMessageContaining("names the folder");
        assertThatThrownBy(() -> ConfinedPaths.under(root, "a/..", WHAT)).hasMessageContaining("names the folder");
        assertThatThrownBy(() -> ConfinedPaths.under(root, "a\0b", WHAT)).isInstanceOf(PlabException.class)
                .hasMessageContaining("no path");
    }

    @Test
    void aSymbolicLinkLeadingOutOfTheRootIsRefusedWhereItsTargetExists() throws Exception {
        Path root = root();
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "not the root's");
        Files.createSymbolicLink(root.resolve("link.jar"), outside);
        Files.createSymbolicLink(root.resolve("dir"), tmp);
        assertThatThrownBy(() -> ConfinedPaths.under(root, "link.jar", WHAT)).isInstanceOf(PlabException.class)
                .hasMessageContaining(WHAT).hasMessageContaining("symbolic link to " + outside.toRealPath());
        // Through a linked folder, even to a file that does not exist yet.
        assertThatThrownBy(() -> ConfinedPaths.under(root, "dir/new.jar", WHAT)).hasMessageContaining("symbolic link");
        Files.createSymbolicLink(root.resolve("dangling.jar"), tmp.resolve("nothing-here"));
        assertThatThrownBy(() -> ConfinedPaths.under(root, "dangling.jar", WHAT))
                .hasMessageContaining("symbolic link to a missing target");
        assertThat(outside).hasContent("not the root's");
    }

    @Test
    void aSymbolicLinkThatStaysInsideTheRootAndALinkedRootAreAccepted() throws Exception {
        Path root = root();
        Path real = Files.writeString(root.resolve("real.jar"), "jar");
        Files.createSymbolicLink(root.resolve("alias.jar"), real);
        assertThat(ConfinedPaths.under(root, "alias.jar", WHAT)).isEqualTo(root.resolve("alias.jar"));
        Path linkedRoot = Files.createSymbolicLink(tmp.resolve("linked-root"), root);
        assertThat(ConfinedPaths.under(linkedRoot, "real.jar", WHAT)).isEqualTo(linkedRoot.resolve("real.jar"));
    }
}
