"""plab bench and the reference PyTorch code, side by side on this machine, one thread.

The ratios in issue 23 and in the README are against the study's own losses timed on the same machine. A
figure from another day is not side by side: this virtual machine's speed moves by 20-30% from hour to hour.
This script alternates fresh processes of the two (reference, plab, reference, plab, ...) and reports, per
workload, the median of each side's per-process medians and their ratio.

Workloads: forward + backward with respect to x, x and y uniform in [-1, 1]:
  ssim@8x3x128       SSIM()                                    plab: ssim
  patch-swd@1x3x128  PatchSWDLoss(patch_size=7, num_proj=256)   plab: patch-swd patchSize 7, projections 256
  vgg@1x3x256        VGGPerceptualLoss() (random VGG16, l1, pixels and conv1_2..conv5_3)   plab: vgg
  vgg-gram@1x3x256   VGGPerceptualLoss(relu1_2..relu5_3 weights 1, features_metric_name='gram')
and the whole style transfer (--style): 128 px, 200 Adam steps (lr 0.05 x 0.9 every 50), style weight 30, no
content term, vgg Gram on relu1_2..relu5_3, chelsea after starry_night; the reference's loop as the study's
style_transfer/optimize_style.py runs it (both images through the loss at every step), timed without its
picture saving; plab's `secondsPerStep` x steps.

Needs: a clone of the study's code (github.com/ariel415el/PerceptualLossExperiments) and a Python with torch and
torchvision (Debian: apt install python3-torch python3-torchvision, PyTorch 1.13.1 as the reference times in
../shared/bench were taken), and a built plab (./mvnw -B install -DskipTests). Run from the repository root:

    /usr/bin/python3 tools/reference-bench/side_by_side.py --study PATH/TO/PerceptualLossExperiments \
        --rounds 3 [--style]

OpenBLAS: the reference runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset ("unrestricted", as a user's own
machine runs it), unless --restricted keeps the environment's.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

LOSS_WORKLOADS = ["ssim@8x3x128", "patch-swd@1x3x128", "vgg@1x3x256", "vgg-gram@1x3x256"]
GRAM_LAYERS = ["relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3"]
STYLE_STEPS = 200


def reference_loss(name):
    import losses
    from losses.swd.patch_swd import PatchSWDLoss
    loss = name.split("@")[0]
    if loss == "ssim":
        return losses.SSIM()
    if loss == "patch-swd":
        return PatchSWDLoss(patch_size=7, num_proj=256)
    if loss == "vgg":
        return losses.VGGPerceptualLoss()
    if loss == "vgg-gram":
        return gram_loss()
    raise SystemExit(f"unknown workload {name}")


def gram_loss():
    import losses
    return losses.VGGPerceptualLoss(layers_and_weights=[(layer, 1.0) for layer in GRAM_LAYERS],
                                    features_metric_name="gram")


def time_reference_losses(names, warmup, repeat):
    import torch
    results = {}
    for name in names:
        n, c, s = (int(v) for v in name.split("@")[1].split("x"))
        torch.manual_seed(0)
        loss = reference_loss(name)
        x = (torch.rand(n, c, s, s) * 2 - 1).requires_grad_(True)
        y = torch.rand(n, c, s, s) * 2 - 1
        runs = []
        for i in range(warmup + repeat):
            start = time.perf_counter()
            value = loss(x, y)
            value.mean().backward()  # SSIM returns one value per image
            elapsed = time.perf_counter() - start
            x.grad = None
            if i >= warmup:
                runs.append(elapsed)
        results[name] = statistics.median(runs)
    return results


def load_image(path, size):
    """The study's imload: centre square crop, [-1, 1], resized with antialiasing."""
    import torch
    from torchvision.io import read_image
    from torchvision import transforms
    img = read_image(path)[:3].float() / 255.0 * 2 - 1
    side = min(img.shape[1], img.shape[2])
    top, left = (img.shape[1] - side) // 2, (img.shape[2] - side) // 2
    img = img[:, top:top + side, left:left + side]
    return transforms.Resize((size, size), antialias=True)(img).unsqueeze(0).contiguous()


def time_reference_style(photos):
    import torch
    torch.manual_seed(0)
    content = load_image(os.path.join(photos, "chelsea.png"), 128)
    style = load_image(os.path.join(photos, "starry_night.png"), 128)
    criterion = gram_loss()
    target = content.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([target], lr=0.05)
    start = time.perf_counter()
    for step in range(STYLE_STEPS):
        total = criterion(target, style) * 30  # the study's NoLoss content term adds 0
        optimizer.zero_grad()
        total.backward(retain_graph=True)
        optimizer.step()
        total.item()
        if step % 50 == 0:
            for group in optimizer.param_groups:
                group["lr"] *= 0.9
    return time.perf_counter() - start


def run_reference(args):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.path.abspath(args.study))
    if not args.restricted:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    command = [sys.executable, os.path.abspath(__file__), "--child", "--study", args.study,
               "--warmup", str(args.warmup), "--repeat", str(args.repeat), "--photos", args.photos]
    if args.style:
        command.append("--style")
    out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True, cwd=args.study).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_plab(args):
    report = subprocess.run(["./plab", "--threads", "1", "bench", "--json", "--warmup", str(args.warmup),
                             "--repeat", str(args.repeat)] + LOSS_WORKLOADS,
                            check=True, capture_output=True, text=True).stdout
    results = {entry["workload"]: entry["medianSeconds"] for entry in json.loads(report)}
    if args.style:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(["./plab", "--threads", "1", "run", "style-transfer", "--out", out, "--loss", "vgg",
                            "-p", "metric=gram", "-p", "layers=" + json.dumps({layer: 1 for layer in GRAM_LAYERS}),
                            "-e", "contents=" + os.path.join(args.photos, "chelsea.png"),
                            "-e", "styles=" + os.path.join(args.photos, "starry_night.png"),
                            "-e", "size=128", "-e", f"steps={STYLE_STEPS}", "-e", "contentWeight=0",
                            "-e", "styleWeight=30"],
                           check=True, capture_output=True, text=True)
            with open(os.path.join(out, "results.json")) as f:
                cell = json.load(f)["cells"][0]
            results["style-transfer"] = cell["metrics"]["secondsPerStep"] * STYLE_STEPS
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", required=True, help="clone of the study's code")
    parser.add_argument("--rounds", type=int, default=3, help="alternating process pairs")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--photos", default=os.path.abspath("examples/data/photos"))
    parser.add_argument("--style", action="store_true", help="also the whole style transfer")
    parser.add_argument("--restricted", action="store_true", help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        import torch
        torch.set_num_threads(1)
        results = time_reference_losses(LOSS_WORKLOADS, args.warmup, args.repeat)
        if args.style:
            results["style-transfer"] = time_reference_style(args.photos)
        print(json.dumps(results))
        return

    reference, ours = {}, {}
    for round_number in range(args.rounds):
        for side, run in (("reference", run_reference), ("plab", run_plab)):
            results = run(args)
            for name, seconds in results.items():
                (reference if side == "reference" else ours).setdefault(name, []).append(seconds)
            print(f"round {round_number + 1} {side}: " + ", ".join(f"{k} {v:.4f}" for k, v in results.items()),
                  file=sys.stderr, flush=True)
    print(f"{'workload':<20} {'plab s':>9} {'reference s':>12} {'ratio':>7}  (median of {args.rounds} processes each)")
    summary = {}
    for name in reference:
        mine, theirs = statistics.median(ours[name]), statistics.median(reference[name])
        summary[name] = {"plab": ours[name], "reference": reference[name], "ratio": mine / theirs}
        print(f"{name:<20} {mine:>9.4f} {theirs:>12.4f} {mine / theirs:>7.3f}")
    print(json.dumps(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
