package org.perceptuallab.host.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.stream.Collectors;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.kit.io.Folders;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.conformance.Check.Outcome;
import org.perceptuallab.runtime.conformance.Check;
import org.perceptuallab.runtime.conformance.CheckResult;
import org.perceptuallab.runtime.conformance.ExperimentConformance;
import org.perceptuallab.runtime.conformance.LossConformance;
import org.pf4j.CompoundPluginDescriptorFinder;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDependency;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginWrapper;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * {@code plab check}: one plugin jar, loaded exactly as the host loads it (a {@link PluginHost} over a
 * folder holding a copy of it, so its own PF4J class loader), then checked: the jar (its
 * descriptor, its api range, what it bundles, that it loads, ids free among the installed plugins), each
 * loss family ({@link LossConformance}) and each experiment ({@link ExperimentConformance}).
 */
public final class PluginCheck {
    /** Packages the host supplies: a plugin's own copy breaks class identity or the engine (TECH-NOTES 6). */
    private static final Map<String, String> HOST_PACKAGES = Map.of(
            "ai/djl/", "DJL", "org/pf4j/", "PF4J", "com/fasterxml/jackson/", "Jackson",
            "org/perceptuallab/api/", "the plab api");

    private PluginCheck() {
    }

    /**
     * What {@code plab check} found.
     *
     * @param jar the jar checked
     * @param plugin its plugin id and version, or its file name when it has no readable descriptor
     */
    public record Report(Path jar, String plugin, List<CheckResult> results) {
        public long count(CheckResult.Status status) {
            return results.stream().filter(r -> r.status() == status).count();
        }

        public boolean passed() {
            return results.stream().noneMatch(CheckResult::failed);
        }
    }

    /**
     * Checks {@code jar} against the plugins installed in {@code lab}, handing each result to
     * {@code progress} as soon as it is known.
     *
     * @throws PlabException when the file does not exist
     */
    public static Report run(Lab lab, Path jar, Consumer<CheckResult> progress) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new PlabException("no plugin jar at " + jar.toAbsolutePath() + "; give the path of the jar your"
                    + " build made (for example target/NAME-VERSION.jar)");
        }
        String subject = "jar " + jar.getFileName();
        List<CheckResult> results = new ArrayList<>();
        Consumer<Check> run = check -> {
            CheckResult result = check.run();
            results.add(result);
            progress.accept(result);
        };
        PluginDescriptor descriptor = descriptor(jar);
        run.accept(new Check(subject, "descriptor names id, version, provider",
                () -> describes(descriptor, jar)));
        run.accept(new Check(subject, "states an api range this host meets (api " + ApiVersion.CURRENT + ")",
                () -> apiRange(descriptor)));
        run.accept(new Check(subject, "bundles no classes of DJL, PF4J, Jackson or the api", () -> bundled(jar)));
        String plugin = descriptor == null ? jar.getFileName().toString()
                : descriptor.getPluginId() + " " + descriptor.getVersion();
        Path work = Files.createTempDirectory("plab-check-");
        try {
            Path folder = Files.createDirectories(work.resolve("plugins"));
            Files.copy(jar, folder.resolve(jar.getFileName()));
            // The installed plugins it depends on load beside it, as in a plugin folder; their ids are not its own.
            for (Path dependency : dependencyJars(lab, descriptor)) {
                Files.copy(dependency, folder.resolve(dependency.getFileName()));
            }
            try (PluginHost host = new PluginHost(List.of(folder))) {
                Set<String> origins = host.plugins().stream()
                        .filter(w -> descriptor != null && w.getPluginId().equals(descriptor.getPluginId()))
                        .map(PluginHost::origin).collect(Collectors.toSet());
                Registry<LossFamily> families = own("loss", LossFamily::id, host::collectLosses, origins);
                Registry<Experiment> experiments = own("experiment", Experiment::id, host::collectExperiments, origins);
                Registry<PluginCommand> commands = own("command", PluginCommand::name, host::collectCommands, origins);
                // After collecting: an extension that cannot be created or describe itself is a warning too.
                run.accept(new Check(subject, "loads and starts as the host loads it", () -> Outcome.of(
                        host.warnings().isEmpty(), host.warnings().isEmpty()
                                ? "plugin " + plugin + " started" : String.join("; ", host.warnings()))));
                Set<String> samePlugin = lab.plugins().plugins().stream()
                        .filter(w -> descriptor != null && w.getPluginId().equals(descriptor.getPluginId()))
                        .map(PluginHost::origin).collect(Collectors.toSet());
                run.accept(new Check(subject, "contributes loss families, experiments or commands", () -> {
                    int total = families.entries().size() + experiments.entries().size() + commands.entries().size();
                    return Outcome.of(total > 0, families.entries().size() + " loss famil(ies), "
                            + experiments.entries().size() + " experiment(s), " + commands.entries().size()
                            + " command(s)" + (total > 0 ? "" : ": is each @Extension class listed in META-INF/services"
                            + " or META-INF/extensions.idx (the PF4J annotation processor writes them)?"));
                }));
                run.accept(new Check(subject, "ids free among the installed plugins", () -> {
                    List<String> taken = new ArrayList<>();
                    taken.addAll(collisions(families, LossFamily::id, lab.losses().families(), samePlugin));
                    taken.addAll(collisions(experiments, Experiment::id, lab.experiments(), samePlugin));
                    taken.addAll(collisions(commands, PluginCommand::name, lab.commands(), samePlugin));
                    return Outcome.of(taken.isEmpty(), taken.isEmpty()
                            ? "none of its ids is installed by another plugin" : String.join("; ", taken));
                }));
                LossCatalog catalog = checkingCatalog(families, lab.losses());
                LossConformance losses = new LossConformance(catalog, lab.manager(), LossConformance.Tolerances.DEFAULT);
                families.entries().forEach(f -> losses.checks(f.extension()).forEach(run));
                ExperimentConformance runs = new ExperimentConformance(catalog, lab.manager(),
                        Files.createDirectories(work.resolve("runs")));
                experiments.entries().forEach(e -> runs.checks(e.extension()).forEach(run));
            }
        } finally {
            Folders.deleteTree(work);
        }
        return new Report(jar, plugin, results);
    }

    /** The descriptor PF4J reads (plugin.properties, else the manifest), or null when there is none. */
    private static PluginDescriptor descriptor(Path jar) {
        try {
            return new CompoundPluginDescriptorFinder().add(new PropertiesPluginDescriptorFinder())
                    .add(new ManifestPluginDescriptorFinder()).find(jar);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static Outcome describes(PluginDescriptor d, Path jar) {
        if (d == null) {
            return Outcome.failed(jar.getFileName() + " has no readable plugin descriptor: its manifest needs"
                    + " Plugin-Id, Plugin-Version, Plugin-Provider and Plugin-Requires (see examples/loss-plugin/pom.xml)");
        }
        List<String> missing = new ArrayList<>();
        if (blank(d.getPluginId())) {
            missing.add("Plugin-Id");
        }
        if (blank(d.getVersion())) {
            missing.add("Plugin-Version");
        }
        if (blank(d.getProvider())) {
            missing.add("Plugin-Provider");
        }
        return missing.isEmpty()
                ? Outcome.passed(d.getPluginId() + " " + d.getVersion() + " by " + d.getProvider())
                : Outcome.failed("its manifest lacks " + String.join(", ", missing));
    }

    private static Outcome apiRange(PluginDescriptor d) {
        if (d == null) {
            return Outcome.failed("no descriptor, so no Plugin-Requires");
        }
        String requires = d.getRequires();
        if (blank(requires) || requires.equals("*")) {
            return Outcome.failed("it states no Plugin-Requires; add 'Plugin-Requires: " + ApiVersion.REQUIRES
                    + "' to its manifest (the api it was built against, org.perceptuallab.api.ApiVersion)");
        }
        return Outcome.of(PluginHost.acceptsApiRange(requires), "it requires api " + requires + "; this host provides "
                + ApiVersion.CURRENT + (PluginHost.acceptsApiRange(requires) ? ""
                : ", so the host would refuse it: build it against api " + ApiVersion.CURRENT.split("\\.")[0]
                + ".x and state " + ApiVersion.REQUIRES));
    }

    /** Classes of the host's packages in the jar, or in jars inside it (PF4J's lib/ folder). */
    private static Outcome bundled(Path jar) throws IOException {
        Map<String, List<String>> found = new TreeMap<>();
        try (InputStream in = Files.newInputStream(jar)) {
            scan(new JarInputStream(in), "", found);
        }
        if (found.isEmpty()) {
            return Outcome.passed("none");
        }
        return Outcome.failed(found.entrySet().stream().map(e -> e.getValue().size() + " class(es) of " + e.getKey()
                        + " (e.g. " + e.getValue().get(0) + ")").collect(Collectors.joining(", "))
                + "; the host supplies them, and a plugin's own copy breaks it: give those dependencies"
                + " <scope>provided</scope>");
    }

    private static void scan(JarInputStream jar, String prefix, Map<String, List<String>> found) throws IOException {
        for (JarEntry e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
            String name = e.getName();
            if (name.endsWith(".jar")) {
                // Reading the nested stream to its end leaves the outer one at the next entry.
                scan(new JarInputStream(jar), prefix + name + "!/", found);
            } else if (name.endsWith(".class")) {
                HOST_PACKAGES.forEach((pkg, owner) -> {
                    if (name.startsWith(pkg)) {
                        found.computeIfAbsent(owner, k -> new ArrayList<>()).add(prefix + name);
                    }
                });
            }
        }
    }

    /** The extensions {@code collect} finds that belong to the checked plugin (not to the class path). */
    private static <T> Registry<T> own(String kind, Function<T, String> idOf, Consumer<Registry<T>> collect,
                                       Set<String> origins) {
        Registry<T> all = new Registry<>(kind, idOf);
        collect.accept(all);
        Registry<T> own = new Registry<>(kind, idOf);
        all.entries().stream().filter(e -> origins.contains(e.origin())).forEach(e -> own.add(e.extension(), e.origin()));
        return own;
    }

    /** The jars of the installed plugins that {@code descriptor} depends on, directly or through them. */
    private static List<Path> dependencyJars(Lab lab, PluginDescriptor descriptor) {
        Map<String, PluginWrapper> installed = new HashMap<>();
        lab.plugins().plugins().forEach(w -> installed.putIfAbsent(w.getPluginId(), w));
        Deque<PluginDependency> wanted = new ArrayDeque<>();
        if (descriptor != null) {
            wanted.addAll(descriptor.getDependencies());
        }
        Set<Path> jars = new LinkedHashSet<>();
        while (!wanted.isEmpty()) {
            PluginWrapper w = installed.get(wanted.pop().getPluginId());
            if (w != null && Files.isRegularFile(w.getPluginPath()) && jars.add(w.getPluginPath())) {
                wanted.addAll(w.getDescriptor().getDependencies());
            }
        }
        return List.copyOf(jars);
    }

    /** "loss id 'x' is already installed by plugin y" for each id of {@code mine} held by another plugin. */
    private static <T> List<String> collisions(Registry<T> mine, Function<T, String> idOf, Registry<T> installed,
                                               Set<String> samePlugin) {
        List<String> out = new ArrayList<>();
        for (Registry.Entry<T> e : mine.entries()) {
            String id = idOf.apply(e.extension());
            installed.find(id).filter(other -> !samePlugin.contains(other.origin())).ifPresent(other -> out.add(
                    mine.kind() + " id '" + id + "' is already installed by " + other.origin() + "; rename it (ids are"
                            + " unique across installed plugins)"));
        }
        return out;
    }

    /** The jar's families, then every installed family whose id they leave free (for composite losses). */
    private static LossCatalog checkingCatalog(Registry<LossFamily> own, LossCatalog installed) {
        LossCatalog catalog = new LossCatalog();
        own.entries().forEach(e -> catalog.families().add(e.extension(), e.origin()));
        installed.families().entries().stream()
                .filter(e -> own.find(e.extension().id()).isEmpty())
                .forEach(e -> catalog.families().add(e.extension(), e.origin()));
        return catalog;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
