#!/usr/bin/env bash
# Issue 23's GPU check, run on the GPU machine from the repository root after prepare.sh: plab's golden and
# conformance suite with --device gpu, through DJL 0.36 with its JNI built there against that machine's CUDA PyTorch.
set -u
ROOT=$PWD; G=$ROOT/.gpu; OUTD=${OUT:-/tmp/out}; mkdir -p "$OUTD"
exec > >(tee "$OUTD/gpu-check.log") 2>&1
t0=$(date +%s); stamp() { echo "== [$(( $(date +%s) - t0 )) s] $*"; }
stamp machine
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
lscpu | grep -E "Model name|^CPU\(s\)"
TORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
SITE=$(dirname "$TORCH")
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI)'
ABI=$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
command -v java && java -version 2>&1 | head -1
tar xJf "$G/jre0.tar.xz" -C /tmp && JAVA=/tmp/jre0/bin/java && $JAVA -version 2>&1 | head -1
ls "$TORCH/lib" | tr '\n' ' '; echo

stamp "JNI build (DJL 0.36 sources against torch $ABI-ABI headers)"
CUDALIBS=""; [ -f "$TORCH/lib/libtorch_cuda.so" ] && CUDALIBS="-ltorch_cuda -lc10_cuda"
B=/tmp/jnibuild; mkdir -p $B; cd "$G/jni"
ls *.cc | xargs -P 16 -I{} g++ -O2 -fPIC -std=gnu++17 -D_GLIBCXX_USE_CXX11_ABI=$ABI -DNDEBUG -I. -Ijavainc -Ijavainc/linux \
  -isystem "$TORCH/include" -isystem "$TORCH/include/torch/csrc/api/include" -c {} -o $B/{}.o 2>&1 | grep -E "error" | head -30
g++ -shared -fPIC -Wl,-rpath,'$ORIGIN' -Wl,-soname,libdjl_torch.so -o $B/libdjl_torch.so $B/*.o -L"$TORCH/lib" \
  -Wl,--no-as-needed -ltorch -ltorch_cpu $CUDALIBS -lc10 -Wl,--as-needed || { stamp "JNI link failed"; exit 3; }
cp $B/libdjl_torch.so "$TORCH/lib/" || { stamp "torch/lib not writable"; exit 3; }
cd "$ROOT"

# JNA finds the CUDA runtime for DJL's GPU count; the pip CUDA libraries are found through torch's RPATH.
mkdir -p /tmp/cudart && ln -sf "$(find "$SITE/nvidia" -name 'libcudart.so*' | head -1)" /tmp/cudart/libcudart.so
export DJL_OFFLINE=true OPT_OUT_TRACKING=true PYTORCH_LIBRARY_PATH="$TORCH/lib" PYTORCH_FLAVOR=cu130-precxx11 OMP_WAIT_POLICY=PASSIVE
plab() { timeout "$1" $JAVA --enable-native-access=ALL-UNNAMED -Xmx16g -Djna.library.path=/tmp/cudart \
  -Dplab.pluginsDir="$G/plugins" -jar "$G/app/plab-host.jar" "${@:2}"; echo "(exit $?)"; }

stamp "engine on the GPU"
P=(examples/data/photos/*); plab 120 --device gpu distance --loss vgg --resize 128 "${P[0]}" "${P[1]}" 2>&1 | tail -5
stamp "golden, GPU"
plab 240 --device gpu golden examples/golden
stamp "golden, this machine's CPU (same torch)"
plab 240 --device cpu golden examples/golden | tail -3
for j in losses-pixel losses-patch losses-deep; do
  stamp "conformance, GPU: $j"
  plab 300 --device gpu check "$G/plugins/$j.jar" > "$OUTD/check-$j.log" 2>&1
  grep -E "failed|passed, .* failed|^\S" "$OUTD/check-$j.log" | grep -v "^  passed\|^  not applicable" | tail -25
done
stamp "bench, GPU"
plab 240 --device gpu bench --repeat 15 patch-swd@1x3x128 ssim@8x3x128 vgg@1x3x256 vgg-gram@1x3x256
stamp done
