package org.perceptuallab.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.perceptuallab.runtime.NativeEngine;

/**
 * Starts every test JVM's engine as the host starts it ({@link NativeEngine}): the same convolution routes
 * on every machine, and no native warning line in the test output. Registered as a JUnit Platform
 * launcher session listener, so it runs before the first test of any module that depends on the test kit.
 */
public final class QuietEngineForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeEngine.configure(false);
    }
}
