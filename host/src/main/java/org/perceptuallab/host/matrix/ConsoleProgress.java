package org.perceptuallab.host.matrix;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.perceptuallab.api.Progress;

/** Progress bars on a terminal (stderr); silent when the output is not one (System.console() is null). */
public final class ConsoleProgress {
    private ConsoleProgress() {
    }

    /** A bar for {@code total} steps, or {@link Progress#silent()} off a terminal. */
    public static Progress open(String task, long total) {
        if (System.console() == null) {
            return Progress.silent();
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build();
        return new Progress() {
            @Override
            public void step(long n) {
                bar.stepBy(n);
            }

            @Override
            public void status(String text) {
                bar.setExtraMessage(text);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
