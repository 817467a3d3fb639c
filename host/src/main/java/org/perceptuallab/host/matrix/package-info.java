/**
 * The experiment matrix: every (experiment, loss) cell of a matrix file run in turn, each result stored
 * atomically the moment it ends so that a killed run resumes where it stopped, failures isolated per cell.
 */
package org.perceptuallab.host.matrix;
