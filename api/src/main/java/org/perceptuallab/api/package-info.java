/**
 * The contract between the Perceptual Lab host and its plugins.
 *
 * <p>A <b>loss plugin</b> contributes {@link org.perceptuallab.api.LossFamily loss families}; each family
 * declares its parameters ({@link org.perceptuallab.api.ParamSpec}) and builds configured
 * {@link org.perceptuallab.api.Loss losses}. An <b>experiment plugin</b> contributes
 * {@link org.perceptuallab.api.Experiment experiments} that run against one configured loss at a time.
 *
 * <p>Tensors are DJL {@code NDArray}s. One memory rule, with or without the host: the caller owns the managers
 * it passes in; what a call makes belongs to the manager of its input (a loss's result and temporaries to
 * {@code x}'s), and a {@code LossContext}'s manager holds the loss's constants only. So whoever calls in a loop
 * gives each step inputs of a sub-manager it closes at the step's end (experiments do; the host's checked losses
 * do it for every call), and a call's temporaries go with its step whether or not the plugin scopes them
 * itself.
 */
package org.perceptuallab.api;
