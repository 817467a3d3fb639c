/**
 * The mean-opinion-score experiment (mos-correlation): how well a loss's distances follow people's quality scores
 * on a set such as TID2013 or KADID-10k, as rank (SRCC, KRCC) and linear (PLCC, after a logistic fit) correlations.
 */
package org.perceptuallab.plugins.mos;
