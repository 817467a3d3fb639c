"""Golden values for FID, KID and the FID Inception-v3 (kit: org.perceptuallab.kit.nets.InceptionV3, .metrics).

The published FID weights cannot ship and CI has no torch, so this script builds the network from a formula that
Java computes too (InceptionGoldenTest regenerates the same weights and images), runs the reference computations,
and writes a small JSON the Java test compares against:

  * the network: torchvision's Inception3 (weights=None, aux_logits=False, init_weights=False) with the blocks that
    pytorch-fid replaces (Mixed_5b..5d, 6b..6e, 7b: 3x3 average pools that leave the padding out of the mean;
    Mixed_7c: a 3x3 max pool in its pool branch), input resized to 299 x 299 (bilinear, align_corners=False) and
    scaled from [0, 1] to [-1, 1], pool3 features after the global average pool, evaluation mode;
  * every tensor filled from a counter-based generator (SplitMix64 of an FNV-1a seed of the tensor's name), exact in
    both languages; convolutions He-uniform, batch norm near the identity, so activations neither die nor explode;
  * images: 32 x 32 RGB in [0, 1], a sine grating per image plus generator noise, two sets that differ in
    frequency, amplitude and noise;
  * FID exactly as pytorch-fid's calculate_frechet_distance computes it (scipy.linalg.sqrtm, 1e-6 diagonal offset
    when the root is not finite, real part), KID as the unbiased MMD^2 of the cubic kernel on the whole sets in
    plain float64 numpy.

Run (a venv with torch, torchvision, numpy and scipy; about 4 minutes on 2 cores, most of it scipy's sqrtm):

    python tools/golden/fid_reference.py            # writes the golden JSON into the kit's test resources

.pth round trip (once, by hand: CI has no torch). Write the formula weights as torch.save'd state dict in a
temporary folder, then let the Java test load it through the kit's weight readers and compare:

    python tools/golden/fid_reference.py --pth /tmp/fid-pth     # writes /tmp/fid-pth/formula-inception.pth, exits
    ./mvnw -B -o test -pl plugins/kit -Dtest=InceptionGoldenTest -Dplab.fid.pth=/tmp/fid-pth/formula-inception.pth

If torchvision's compiled operators do not match the installed torch, its import fails in
torchvision._meta_registrations; only the model definitions are needed here, so that module is replaced by an empty
one before the import.
"""
import argparse
import json
import os
import sys
import types

import numpy as np
import scipy
import scipy.linalg
import torch
import torch.nn.functional as F

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torchvision  # noqa: E402
from torchvision.models import inception as tv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "plugins", "kit", "src", "test", "resources", "org", "perceptuallab", "kit",
                      "nets", "fid-golden.json")
IMAGES_PER_SET = 200
SMALL_PER_SET = 12
IMAGE_SIZE = 32
U64 = np.uint64


# ---- the generator both languages compute -------------------------------------------------------------------

def name_seed(name):
    """FNV-1a, 64 bits, of the name's UTF-8 bytes."""
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def uniform(name, count):
    """count doubles in [0, 1): element i is SplitMix64 of seed + (i + 1) * golden gamma, its top 53 bits."""
    with np.errstate(over="ignore"):
        z = U64(name_seed(name)) + np.arange(1, count + 1, dtype=U64) * U64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
        z = z ^ (z >> U64(31))
    return (z >> U64(11)).astype(np.float64) * 2.0 ** -53


def formula_tensor(name, shape):
    """The value of a state-dict tensor, float32."""
    u = uniform(name, int(np.prod(shape))).reshape(shape)
    if name.endswith("conv.weight"):
        fan_in = shape[1] * shape[2] * shape[3]
        v = (2 * u - 1) * np.sqrt(6.0 / fan_in)
    elif name.endswith("bn.weight"):
        v = 0.8 + 0.4 * u
    elif name.endswith("bn.bias"):
        v = 0.2 * (2 * u - 1)
    elif name.endswith("bn.running_mean"):
        v = 0.1 * (2 * u - 1)
    elif name.endswith("bn.running_var"):
        v = 0.8 + 0.4 * u
    else:
        raise ValueError(name)
    return v.astype(np.float32)


def image(which, index):
    """(3, 32, 32) float32 in [0, 1]: a grating of the image's own frequency and phases plus noise."""
    p = uniform("image-%d-%d" % (which, index), 5)
    fx = (0.1 + 0.5 * p[0]) * (1 + which)
    fy = (0.1 + 0.5 * p[1]) * (1 + which)
    amplitude = 0.3 + 0.1 * which
    noise = (0.1 + 0.1 * which) * (2 * uniform("noise-%d-%d" % (which, index), 3 * IMAGE_SIZE * IMAGE_SIZE) - 1)
    y, x = np.meshgrid(np.arange(IMAGE_SIZE, dtype=np.float64), np.arange(IMAGE_SIZE, dtype=np.float64),
                       indexing="ij")
    channels = [0.5 + amplitude * np.sin(fx * x + fy * y + 2 * np.pi * p[2 + c]) for c in range(3)]
    v = np.stack(channels) + noise.reshape(3, IMAGE_SIZE, IMAGE_SIZE)
    return np.clip(v, 0, 1).astype(np.float32)


# ---- the FID network --------------------------------------------------------------------------------------------

def mean_pool_inside(x):
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class FidA(tv.InceptionA):
    def forward(self, x):
        return torch.cat([self.branch1x1(x),
                          self.branch5x5_2(self.branch5x5_1(x)),
                          self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          self.branch_pool(mean_pool_inside(x))], 1)


class FidC(tv.InceptionC):
    def forward(self, x):
        seven = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = x
        for layer in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                      self.branch7x7dbl_5):
            double = layer(double)
        return torch.cat([self.branch1x1(x), seven, double, self.branch_pool(mean_pool_inside(x))], 1)


class FidE(tv.InceptionE):
    def __init__(self, in_channels, pool):
        super().__init__(in_channels)
        self.pool = pool

    def forward(self, x):
        narrow = self.branch3x3_1(x)
        deep = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        return torch.cat([self.branch1x1(x),
                          self.branch3x3_2a(narrow), self.branch3x3_2b(narrow),
                          self.branch3x3dbl_3a(deep), self.branch3x3dbl_3b(deep),
                          self.branch_pool(self.pool(x))], 1)


def fid_inception():
    net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
    net.Mixed_5b = FidA(192, pool_features=32)
    net.Mixed_5c = FidA(256, pool_features=64)
    net.Mixed_5d = FidA(288, pool_features=64)
    net.Mixed_6b = FidC(768, channels_7x7=128)
    net.Mixed_6c = FidC(768, channels_7x7=160)
    net.Mixed_6d = FidC(768, channels_7x7=160)
    net.Mixed_6e = FidC(768, channels_7x7=192)
    net.Mixed_7b = FidE(1280, mean_pool_inside)
    net.Mixed_7c = FidE(2048, lambda x: F.max_pool2d(x, kernel_size=3, stride=1, padding=1))
    state = net.state_dict()
    for name, t in state.items():
        if name.endswith("num_batches_tracked") or name.startswith("fc."):
            continue
        state[name] = torch.from_numpy(formula_tensor(name, tuple(t.shape)))
    net.load_state_dict(state)
    return net.eval()


def pool3(net, images):
    """(N, 2048) float32 features of (N, 3, H, W) images in [0, 1], as pytorch-fid computes them."""
    x = F.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                 "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                 "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool"):
        x = getattr(net, name)(x)
    return x.flatten(1)


# ---- the reference metrics ----------------------------------------------------------------------------------------

def frechet_distance(a, b, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance, from the statistics of (N, D) float64 features."""
    mu1, mu2 = a.mean(0), b.mean(0)
    sigma1, sigma2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1.dot(sigma2))
    offset_added = False
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
        offset_added = True
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component %s" % np.max(np.abs(covmean.imag)))
        covmean = covmean.real
    fid = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    return float(fid), offset_added


def kid_whole_sets(a, b):
    """Unbiased MMD^2, kernel (x.y / d + 1)^3, of two whole sets of equal size, float64."""
    n, d = a.shape
    kxx = (a @ a.T / d + 1) ** 3
    kyy = (b @ b.T / d + 1) ** 3
    kxy = (a @ b.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / n ** 2)


def statistics(features, per_set):
    a, b = features[0][:per_set].astype(np.float64), features[1][:per_set].astype(np.float64)
    fid, offset_added = frechet_distance(a, b)
    return {"imagesPerSet": per_set, "fid": fid, "fidOffsetAdded": offset_added, "kid": kid_whole_sets(a, b),
            "meanA": a.mean(0)[:8].tolist(), "meanB": b.mean(0)[:8].tolist()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pth", help="only write the formula weights to DIR/formula-inception.pth")
    parser.add_argument("--out", default=GOLDEN)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    net = fid_inception()
    if args.pth:
        os.makedirs(args.pth, exist_ok=True)
        torch.save(net.state_dict(), os.path.join(args.pth, "formula-inception.pth"))
        return
    features = []
    for which in (0, 1):
        images = torch.from_numpy(np.stack([image(which, i) for i in range(IMAGES_PER_SET)]))
        features.append(torch.cat([pool3(net, images[i:i + 20]) for i in range(0, IMAGES_PER_SET, 20)]).numpy())
        print("set", which, "features: mean %.4f, std %.4f, fraction zero %.4f" % (
            features[-1].mean(), features[-1].std(), (features[-1] == 0).mean()), file=sys.stderr)
    golden = {
        "source": "tools/golden/fid_reference.py",
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__},
        "imageSize": IMAGE_SIZE,
        "pool3": {"A0": features[0][0][:16].tolist(), "A1": features[0][1][:16].tolist(),
                  "B0": features[1][0][:16].tolist()},
        "pool3Sums": {"A0": float(features[0][0].astype(np.float64).sum()),
                      "A1": float(features[0][1].astype(np.float64).sum()),
                      "B0": float(features[1][0].astype(np.float64).sum())},
        "small": statistics(features, SMALL_PER_SET),
        "full": statistics(features, IMAGES_PER_SET),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(json.dumps({k: golden[k] for k in ("small", "full")}), file=sys.stderr)


if __name__ == "__main__":
    main()
