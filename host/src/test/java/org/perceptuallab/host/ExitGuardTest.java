package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.perceptuallab.host.cli.Plab;

/** The rewrite plugin classes get as they load ({@link PluginIsolationTest} runs real plugin jars). */
class ExitGuardTest {
    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    /** "owner.name" of every method call named exit or halt. */
    private static List<String> exitCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
                                                boolean isInterface) {
                        if (name.equals("exit") || name.equals("halt")) {
                            calls.add(owner + "." + name);
                        }
                    }
                };
            }
        }, 0);
        return calls;
    }

    @Test
    void aClassNamingNoExitOrHaltIsLeftAsItIs() throws IOException {
        byte[] settings = classFile(Settings.class);
        assertThat(ExitGuard.guard(settings)).isSameAs(settings);
    }

    @Test
    void aCallToSystemExitBecomesACallToTheGuardThatThrows() throws IOException {
        // Plab.main ends with System.exit: as plugin code it would call the guard instead.
        byte[] plab = classFile(Plab.class);
        assertThat(exitCalls(plab)).contains("java/lang/System.exit");
        assertThat(exitCalls(ExitGuard.guard(plab))).doesNotContain("java/lang/System.exit")
                .contains("org/perceptuallab/host/ExitGuard.exit");
    }
}
