#!/usr/bin/env bash
# Builds .gpu/ (git-ignored) for run.sh: what a GPU machine with a CUDA PyTorch but no JDK and no network needs
# to run plab's golden and conformance suite with --device gpu. Maven Central has no CUDA natives for DJL 0.36,
# so run.sh compiles DJL's JNI there against that machine's PyTorch; this takes its sources from a DJL checkout.
#   tools/gpu-check/prepare.sh DJL_GIT      (a clone or bare mirror of deepjavalibrary/djl; its tag v0.36.0 is used)
# Measured 2026-12-05: the JNI built this way against a pip PyTorch 2.13 (CPU) ran examples/golden 24 of 24.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DJL="${1:?give a DJL git checkout}"
G="$ROOT/.gpu"
grep -qx "/.gpu/" "$ROOT/.git/info/exclude" 2>/dev/null || { mkdir -p "$ROOT/.git/info"; echo "/.gpu/" >> "$ROOT/.git/info/exclude"; }
rm -rf "$G" && mkdir -p "$G/app/lib" "$G/plugins" "$G/jni/djl" "$G/jni/javainc"
(cd "$ROOT" && ./mvnw -B -q package -DskipTests)
cp "$ROOT/host/target/plab-host.jar" "$G/app/"
# The host's class path less what a golden/check run never loads (the CPU natives: 111 MB; serve's and share's
# libraries), so that the tree and this folder travel in 64 MiB.
for j in $(unzip -p "$ROOT/host/target/plab-host.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -e ':a;N;$!ba;s/\n //g' \
    | grep '^Class-Path' | cut -d' ' -f2-); do
  case "$j" in *pytorch-native-cpu*|*sqlite-jdbc*|*bcprov*|*bcpg*|*bcutil*|*postgresql*|*flyway*|*jetty-*|*javalin*|*jakarta.servlet*|*jfreechart*) ;;
    *) cp "$ROOT/host/target/$j" "$G/app/lib/" ;; esac
done
# DJL finds its platform from the natives jar's pytorch.properties: keep that file alone, under the jar's name.
native=$(find ~/.m2/repository/ai/djl/pytorch/pytorch-native-cpu -name '*linux-x86_64.jar' | head -1)
tmp=$(mktemp -d) && mkdir -p "$tmp/native/lib" && unzip -p "$native" native/lib/pytorch.properties > "$tmp/native/lib/pytorch.properties"
(cd "$tmp" && jar cf "$G/app/lib/$(basename "$native")" native) && rm -rf "$tmp"
cp "$ROOT"/target/plugins/*.jar "$G/plugins/"
# DJL 0.36's JNI sources and the header javac generates for them.
gd="$DJL/.git"; [ -d "$gd" ] || gd="$DJL"   # a clone or a bare mirror
git --git-dir="$gd" archive v0.36.0 engines/pytorch/pytorch-native/src/main/native api/src/main/native/djl/utils.h \
  engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java | tar x -C "$G/jni"
mv "$G"/jni/engines/pytorch/pytorch-native/src/main/native/* "$G/jni/" && mv "$G/jni/api/src/main/native/djl/utils.h" "$G/jni/djl/"
m2=~/.m2/repository/ai/djl
javac -h "$G/jni" -d "$(mktemp -d)" -cp "$m2/api/0.36.0/api-0.36.0.jar:$m2/pytorch/pytorch-engine/0.36.0/pytorch-engine-0.36.0.jar:$(ls ~/.m2/repository/org/slf4j/slf4j-api/*/slf4j-api-*.jar | head -1)" \
  "$G/jni/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
rm -rf "$G/jni/engines" "$G/jni/api"
JDK="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
cp -r "$JDK/include/"* "$G/jni/javainc/"
# A small runtime for a machine without a JDK (xz: 18 MB).
rm -rf /tmp/plab-jre && jlink --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.scripting,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec,java.instrument,jdk.management,java.compiler,java.prefs,java.security.jgss,jdk.httpserver \
  --strip-debug --no-man-pages --no-header-files --output /tmp/plab-jre/jre0
tar cf - -C /tmp/plab-jre jre0 | xz -9 -T2 > "$G/jre0.tar.xz"
cp "$ROOT/tools/gpu-check/run.sh" "$G/run.sh"
du -sh "$G"
