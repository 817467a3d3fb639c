package org.perceptuallab.api;

/**
 * The version of this contract, under semantic versioning: a minor release only adds (a default method,
 * a new type), so a plugin built against 2.0 runs on every 2.x host; a major release may remove or change.
 * The build checks the promise: japicmp compares the api jar with the last release's ({@code api/release/})
 * and fails on a binary-incompatible change, or one the version number does not declare.
 *
 * <p>The plugin kit ({@code plab-kit}, on every plugin's class path beside this api) is versioned with the
 * api: a kit change that breaks a plugin is an api major release too.
 *
 * <p>Each plugin states the api range it needs in its manifest as PF4J's {@code Plugin-Requires}, for
 * example {@code >=2.0.0 & <3.0.0} ({@link #REQUIRES}); the host refuses a plugin whose range excludes
 * {@link #CURRENT}, naming both.
 *
 * <p>History: 1.0, the first stable contract; 1.1 added {@code Experiment.tinyRun} and
 * {@code ExperimentContext.cacheFolder()} (default methods); 1.2 added {@code Loss.distancesFrom} (a default
 * method); 1.3 added {@code Loss.oneDraw} (a default method); 1.4 added {@code LossContext.seed(Params)} and
 * {@code ParamSpec.requiring}. 2.0: typed parameter keys ({@code Param<T>},
 * {@code Params.get}, {@code required()}, {@link Param#SEED}); the algorithms left the api
 * ({@code DistanceMatrix} for the kit, the input checks and name suggestions for the host, injected draws for
 * the kit's {@code InjectedDraws}); one memory rule (package doc); plugins built for 1.x are refused.
 */
public final class ApiVersion {
    /** This api's version. */
    public static final String CURRENT = "2.0.0";

    /**
     * The {@code Plugin-Requires} a plugin compiled against this api writes: this major version, from 2.0. A
     * plugin that calls what a later minor version added states that minor version as its lower bound; one
     * that only overrides a default method added later (as {@link Experiment#tinyRun}) needs none.
     */
    public static final String REQUIRES = ">=2.0.0 & <3.0.0";

    private ApiVersion() {
    }
}
