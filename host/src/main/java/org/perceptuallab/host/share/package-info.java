/**
 * Plugin sharing between labs, on Maven repositories: resolve and install plugin jars
 * ({@link org.perceptuallab.host.share.Installer}) after checking the repository's checksums, an OpenPGP
 * signature against the lab's trusted keys ({@link org.perceptuallab.host.share.TrustedKeys}) and what the
 * plugin requires; publish a jar into a Maven-layout folder ({@link org.perceptuallab.host.share.Publisher});
 * pin plugins in a matrix file and check the installed ones against the pins
 * ({@link org.perceptuallab.host.share.PluginPins}); rerun another lab's results
 * ({@link org.perceptuallab.host.share.Reproduction}).
 */
package org.perceptuallab.host.share;
