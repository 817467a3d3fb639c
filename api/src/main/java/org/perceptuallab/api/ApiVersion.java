package org.perceptuallab.api;

/**
 * The version of this contract, under semantic versioning: a minor release only adds (a default method,
 * a new type), so a plugin built against 1.0 runs on every 1.x host; a major release may remove or change.
 *
 * <p>1.1 added {@link ExperimentContext#cacheFolder()}.
 *
 * <p>Each plugin states the api range it needs in its manifest as PF4J's {@code Plugin-Requires}, for
 * example {@code >=1.0.0 & <2.0.0} ({@link #REQUIRES}); the host refuses a plugin whose range excludes
 * {@link #CURRENT}, naming both.
 */
public final class ApiVersion {
    /** This api's version. */
    public static final String CURRENT = "1.1.0";

    /** The {@code Plugin-Requires} a plugin compiled against this api writes: this major version, from 1.0. */
    public static final String REQUIRES = ">=1.0.0 & <2.0.0";

    private ApiVersion() {
    }
}
