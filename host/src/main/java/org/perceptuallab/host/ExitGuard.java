package org.perceptuallab.host;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Keeps plugin code from ending plab's process. Every class a plugin jar defines is rewritten as it loads
 * ({@link GuardedClassLoader}) so that its calls to {@code System.exit}, {@code Runtime.exit} and
 * {@code Runtime.halt}, direct or as method references, come here instead and throw: the plugin's step fails
 * like any other plugin fault (exit 1 or a failed matrix cell, naming the plugin) and plab goes on. This
 * works the same on every JDK, with no flag and no warning, where a SecurityManager is deprecated on 17
 * and gone from 24 on. A plugin that reaches {@code exit} by a route the rewrite cannot see (reflection, a
 * method handle looked up by name) is caught as the process ends: {@link #onPluginExit}.
 */
public final class ExitGuard {
    /** A class loader of one plugin's code: the guard names the plugin when it stops an exit from there. */
    public interface PluginLoader {
        /** The plugin, as the host names it ("plugin ID VERSION (PATH)"). */
        String plugin();

        /** Whether this loader defined the class of that name. */
        boolean defines(String className);
    }

    /** The loaders of plugins loaded now, for naming the plugin whose code reached an exit. */
    private static final Set<PluginLoader> OPEN = ConcurrentHashMap.newKeySet();

    /** Names this loader's plugin when its code reaches an exit, until {@link #forget} (the plugin unloaded). */
    static void watch(PluginLoader loader) {
        OPEN.add(loader);
    }

    static void forget(PluginLoader loader) {
        OPEN.remove(loader);
    }

    /** The plugin one of whose loaded classes is named {@code className}, if any. */
    private static Optional<String> pluginDefining(String className) {
        return OPEN.stream().filter(l -> l.defines(className)).map(PluginLoader::plugin).findFirst();
    }

    private static final String GUARD = Type.getInternalName(ExitGuard.class);
    /** Each guarded method ("owner.name descriptor") and the descriptor of its stand-in here (same name). */
    private static final Map<String, String> STAND_INS = Map.of(
            "java/lang/System.exit(I)V", "(I)V",
            "java/lang/Runtime.exit(I)V", "(Ljava/lang/Runtime;I)V",
            "java/lang/Runtime.halt(I)V", "(Ljava/lang/Runtime;I)V");
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final AtomicBoolean BACKSTOP = new AtomicBoolean();

    private ExitGuard() {
    }

    /** Stands in for {@code System.exit} in plugin code. */
    public static void exit(int status) {
        throw refused("System.exit(" + status + ")");
    }

    /** Stands in for {@code Runtime.exit} in plugin code. */
    public static void exit(Runtime runtime, int status) {
        throw refused("Runtime.exit(" + status + ")");
    }

    /** Stands in for {@code Runtime.halt} in plugin code. */
    public static void halt(Runtime runtime, int status) {
        throw refused("Runtime.halt(" + status + ")");
    }

    private static SecurityException refused(String call) {
        String caller = WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c.getClassLoader() instanceof PluginLoader).findFirst())
                .map(c -> c.getName() + " of " + ((PluginLoader) c.getClassLoader()).plugin())
                .orElse("plugin code");
        return new SecurityException(call + " called by " + caller + ": a plugin may not end plab's process,"
                + " so the call fails instead");
    }

    /**
     * The class file with every call to a guarded method, and every method handle to one (method references),
     * turned into a call to its stand-in here. A class that names no method {@code exit} or {@code halt}
     * comes back as it is, unread.
     */
    static byte[] guard(byte[] classFile) {
        if (!namesMethod(classFile, "exit") && !namesMethod(classFile, "halt")) {
            return classFile;
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
                                                boolean isInterface) {
                        String standIn = STAND_INS.get(owner + "." + name + descriptor);
                        if (standIn == null) {
                            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                        } else {
                            // Same stack effect: a receiver, if any, becomes the stand-in's first argument.
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, name, standIn, false);
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap,
                                                       Object... arguments) {
                        super.visitInvokeDynamicInsn(name, descriptor, bootstrap,
                                Arrays.stream(arguments).map(ExitGuard::guarded).toArray());
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        super.visitLdcInsn(guarded(value));
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    /** A method handle constant to a guarded method becomes one to its stand-in; anything else is kept. */
    private static Object guarded(Object constant) {
        if (constant instanceof Handle h) {
            String standIn = STAND_INS.get(h.getOwner() + "." + h.getName() + h.getDesc());
            if (standIn != null) {
                return new Handle(Opcodes.H_INVOKESTATIC, GUARD, h.getName(), standIn, false);
            }
        }
        return constant;
    }

    /**
     * Whether the class file's constant pool holds {@code name} as a string of its own (a CONSTANT_Utf8:
     * tag 1, two length bytes), as every reference to a method of that name needs.
     */
    private static boolean namesMethod(byte[] classFile, String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        byte[] entry = new byte[text.length + 3];
        entry[0] = 1;
        entry[1] = (byte) (text.length >> 8);
        entry[2] = (byte) text.length;
        System.arraycopy(text, 0, entry, 3, text.length);
        outer:
        for (int i = 0; i + entry.length <= classFile.length; i++) {
            for (int j = 0; j < entry.length; j++) {
                if (classFile[i + j] != entry[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The last line of defence, for this process's {@code main}: when the process is ending through
     * {@code exit} called with plugin code on the calling thread's stack (a route the rewrite cannot see),
     * {@code report} gets a line naming the plugin and the frame; it may halt the process with a status of
     * its own. Installed once per process.
     */
    public static void onPluginExit(Consumer<String> report) {
        if (!BACKSTOP.compareAndSet(false, true)) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Thread.getAllStackTraces().values().stream()
                .map(ExitGuard::pluginExit).flatMap(Optional::stream).findFirst().ifPresent(report),
                "plab-exit-guard"));
    }

    /** "plugin X (jar) ended the process ..." when this stack is in {@code Runtime.exit} called from a plugin. */
    private static Optional<String> pluginExit(StackTraceElement[] stack) {
        int exit = 0;
        while (exit < stack.length && !(stack[exit].getClassName().equals("java.lang.Runtime")
                && stack[exit].getMethodName().equals("exit"))) {
            exit++;
        }
        for (int i = exit + 1; i < stack.length; i++) {
            StackTraceElement frame = stack[i];
            Optional<String> plugin = pluginDefining(frame.getClassName());
            if (plugin.isPresent()) {
                return Optional.of(plugin.get() + " ended the process: " + frame.getClassName() + "."
                        + frame.getMethodName() + " reached Runtime.exit indirectly (reflection, a method handle, a"
                        + " library), and plugin code may not end plab's process; this is a fault of that plugin:"
                        + " report it to its author, or remove its jar from the plugin folder");
            }
        }
        return Optional.empty();
    }
}
