/**
 * The contract between the Perceptual Lab host and its plugins.
 *
 * <p>A <b>loss plugin</b> contributes {@link org.perceptuallab.api.LossFamily loss families}; each family
 * declares its parameters ({@link org.perceptuallab.api.ParamSpec}) and builds configured
 * {@link org.perceptuallab.api.Loss losses}. An <b>experiment plugin</b> contributes
 * {@link org.perceptuallab.api.Experiment experiments} that run against one configured loss at a time.
 *
 * <p>Tensors are DJL {@code NDArray}s. Ownership rule: the caller owns the managers it passes in; a
 * plugin creates its temporaries in {@code newSubManager()} scopes and attaches what it returns to the
 * manager of the caller's input.
 */
package org.perceptuallab.api;
