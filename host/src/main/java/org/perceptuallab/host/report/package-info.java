/** What a person reads after a matrix run: results.csv, loss-curve plots and a self-contained report.html. */
package org.perceptuallab.host.report;
