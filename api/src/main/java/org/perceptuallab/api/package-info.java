/**
 * The contract between the Perceptual Lab host and its plugins: extension points, the values they pass, and
 * the one error type. Algorithms are not part of it: the plugin kit ({@code plab-kit}, versioned with this
 * api) and the host provide them.
 *
 * <p>A <b>loss plugin</b> contributes {@link org.perceptuallab.api.LossFamily loss families}; each family
 * declares its parameters ({@link org.perceptuallab.api.ParamSpec}, typed keys
 * {@link org.perceptuallab.api.Param}) and builds configured {@link org.perceptuallab.api.Loss losses}. An
 * <b>experiment plugin</b> contributes {@link org.perceptuallab.api.Experiment experiments} that run against
 * one configured loss at a time.
 *
 * <p>Tensors are DJL {@code NDArray}s. The memory rule, one for every caller and every plugin: the caller
 * owns the managers it passes in. What a call computes (its result and its temporaries) belongs to the
 * managers of the call's inputs, and the callee adds nothing per call to managers it owns (a loss's constants
 * stay as they were built). The caller releases a call's temporaries by making the call inside a sub-manager
 * that its inputs are attached to for the call (the kit's {@code Ops.scoped}), taking out what it keeps.
 */
package org.perceptuallab.api;
