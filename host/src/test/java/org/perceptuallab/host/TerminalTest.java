package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTest {
    @Test
    void escapeSequencesLineBreaksAndOtherControlsAreShownAsVisibleEscapes() {
        assertThat(Terminal.safe("evil\u001b[31mred\u001b[0m")).isEqualTo("evil\\u001b[31mred\\u001b[0m");
        assertThat(Terminal.safe("a\nforged line\r\tb\u0000\u007f")).isEqualTo("a\\u000aforged line\\u000d\\u0009b\\u0000\\u007f");
        // C1 controls: a single-byte CSI, and the bidirectional override that reorders what follows it.
        assertThat(Terminal.safe("x\u009b2Jy")).isEqualTo("x\\u009b2Jy");
        assertThat(Terminal.safe("gpj.\u202eexe")).isEqualTo("gpj.\\u202eexe");
        assertThat(Terminal.safe("a\u2028b")).isEqualTo("a\\u2028b");
    }

    @Test
    void printableTextOfAnyScriptIsUnchangedAndEscapingTwiceReadsTheSame() {
        String plain = "losses-pixel 1.0.0 Zoë <z@lab.example> 日本 \uD83D\uDE00 C:\\plugins\\x.jar";
        assertThat(Terminal.safe(plain)).isSameAs(plain);
        String once = Terminal.safe("id\u001b]0;title\u0007");
        assertThat(once).doesNotContainPattern("\\p{Cntrl}");
        assertThat(Terminal.safe(once)).isEqualTo(once);
        assertThat(Terminal.safe(null)).isEqualTo("null");
    }
}
