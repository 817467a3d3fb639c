/** Data the host makes for experiments: synthetic 2AFC sets from real photos. */
package org.perceptuallab.host.data;
