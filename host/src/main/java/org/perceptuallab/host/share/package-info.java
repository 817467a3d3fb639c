/**
 * Plugin sharing between labs, on Maven repositories: resolve and install plugin jars
 * ({@link org.perceptuallab.host.share.Installer}) after checking the repository's checksums, an OpenPGP
 * signature against the lab's trusted keys ({@link org.perceptuallab.host.share.TrustedKeys}) and what the
 * plugin requires; publish a jar into a Maven-layout folder ({@link org.perceptuallab.host.share.Publisher});
 * find the pins that rerun another lab's results needs and rerun them
 * ({@link org.perceptuallab.host.share.Reproduction}).
 */
package org.perceptuallab.host.share;
