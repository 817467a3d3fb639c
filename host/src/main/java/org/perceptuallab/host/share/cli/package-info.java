/**
 * The sharing commands: {@code plab plugins install|list|remove|update|verify|publish|sync},
 * {@code plab trust add|list} and {@code plab reproduce}.
 */
package org.perceptuallab.host.share.cli;
