/**
 * Image optimisation for experiments: Adam on a pixel tensor under a step-decay schedule, every step's
 * temporaries in their own scope so that resident memory stays flat over long runs.
 */
package org.perceptuallab.kit.optim;
