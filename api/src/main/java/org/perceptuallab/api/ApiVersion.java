package org.perceptuallab.api;

/**
 * The version of this contract, under semantic versioning: a minor release only adds (a default method,
 * a new type), so a plugin built against 1.0 runs on every 1.x host; a major release may remove or change.
 *
 * <p>Each plugin states the api range it needs in its manifest as PF4J's {@code Plugin-Requires}, for
 * example {@code >=1.0.0 & <2.0.0} ({@link #REQUIRES}); the host refuses a plugin whose range excludes
 * {@link #CURRENT}, naming both.
 *
 * <p>History: 1.0, the first stable contract; 1.1 added {@link Experiment#tinyRun} and
 * {@link ExperimentContext#cacheFolder()} (default methods); 1.2 added {@link Loss#distancesFrom} (a default
 * method); 1.3 added {@link Loss#oneDraw} (a default method); 1.4 added {@link LossContext#seed(Params)} (a
 * default method) and {@link ParamSpec#requiring}.
 */
public final class ApiVersion {
    /** This api's version. */
    public static final String CURRENT = "1.4.0";

    /**
     * The {@code Plugin-Requires} a plugin compiled against this api writes: this major version, from 1.0. A
     * plugin that calls what a later minor version added states that minor version as its lower bound; one
     * that only overrides a default method added later (as {@link Experiment#tinyRun}) needs none.
     */
    public static final String REQUIRES = ">=1.0.0 & <2.0.0";

    private ApiVersion() {
    }
}
