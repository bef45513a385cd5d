#!/usr/bin/env python3
"""Small-data evaluation: config A against config B, over seeds and data sets, scored on images never trained on.

Each set is split by position: the first images train (up to --train of them), the last --score images are held
out for the score (fewer where the set is small: then the set's last quarter, said in the table). Every run trains
A or B with the same data overrides, then `dcgan eval` measures the SWD x1e3 of G and of its moving average
against the held-out images (-n = their count, seed 0). Prints a Markdown table: mean and spread (sample standard
deviation) over the seeds, B against A on the better of G and its average, and whether A's run memorises (r_t above
0.9 with D on held-back images clearly below D on training images over its last three log steps). B's runs also
evaluate every --eval-every steps against their held-back images and keep g-best.pt; a second table scores it like
the last step, beside it.
Python's standard library only. Finished runs (a `done` file beside g.pt) are kept and not run again.
"""
import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".pgm", ".ppm", ".bmp", ".webp", ".tif", ".tiff")


def shared_sets(data):
    """name -> (source, kind, channels, default side)."""
    fashion = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    return {
        "orl": (f"{data}/att-orl-faces", "folder", 1, 64),
        "celeba-1k": (f"{data}/celeba-aligned-89x109-5k", "folder", 3, 64),
        "celeba-5k": (f"{data}/celeba-aligned-89x109-5k", "folder", 3, 64),
        "cifar-1k": (f"{data}/cifar10-bin-subset/data_batch_1_first4000.bin", "cifar10", 3, 32),
        "mnist-1k": (f"{data}/mnist-t10k/t10k-images-idx3-ubyte.gz", "idx", 1, 32),
        "fashion-1k": (fashion, "idx", 1, 32),
    }


def train_count(name, total, held):
    wanted = {"celeba-5k": 5000}.get(name, 1000)
    return min(wanted, total - held)


def held_count(total, score):
    return score if total >= 2 * score else total // 4


def split_idx(src, out, train, score):
    raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    size = h * w
    held = held_count(n, score)
    k = train_count(out["name"], n, held)

    def write(path, first, count):
        head = raw[:4] + count.to_bytes(4, "big") + raw[8:16]
        with open(path, "wb") as f:
            f.write(head + raw[16 + first * size:16 + (first + count) * size])
    write(out["train"], 0, k)
    write(out["held"], n - held, held)
    return k, held, n


def split_cifar(src, out, train, score):
    raw = open(src, "rb").read()
    rec = 3073
    n = len(raw) // rec
    held = held_count(n, score)
    k = train_count(out["name"], n, held)
    open(out["train"], "wb").write(raw[:k * rec])
    open(out["held"], "wb").write(raw[(n - held) * rec:n * rec])
    return k, held, n


def split_folder(src, out, train, score):
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs if f.lower().endswith(IMAGE_EXT))
    n = len(files)
    held = held_count(n, score)
    k = train_count(out["name"], n, held)
    for folder, chosen in ((out["train"], files[:k]), (out["held"], files[n - held:])):
        os.makedirs(folder, exist_ok=True)
        for i, f in enumerate(chosen):
            link = os.path.join(folder, f"{i:05d}{os.path.splitext(f)[1].lower()}")
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(f), link)
    return k, held, n


def prepare_set(name, spec, work, score):
    src, kind, channels, side = spec
    if not os.path.exists(src):
        raise SystemExit(f"{src}: missing (set {name}); pass --data or leave the set out with --sets")
    base = os.path.join(work, "data", name)
    os.makedirs(base, exist_ok=True)
    ext = {"idx": ".idx", "cifar10": ".bin", "folder": ""}[kind]
    out = {"name": name, "train": os.path.join(base, "train" + ext), "held": os.path.join(base, "held" + ext)}
    info_path = os.path.join(base, "split.json")
    if os.path.exists(info_path):
        info = json.load(open(info_path))
    else:
        k, held, n = {"idx": split_idx, "cifar10": split_cifar, "folder": split_folder}[kind](src, out, None, score)
        info = {"train": k, "held": held, "total": n}
        json.dump(info, open(info_path, "w"))
    return out, kind, channels, side, info


def last_rows(metrics, count=3):
    lines = open(metrics).read().split("\n")
    head = lines[0].split(",")
    rows = [dict(zip(head, l.split(","))) for l in lines[1:] if l]
    return rows[-count:]


def mean_of(rows, key):
    vals = [float(r[key]) for r in rows if r.get(key)]
    return sum(vals) / len(vals) if vals else None


def swd_of(dcgan, ckpt, held, n, ema):
    cmd = [dcgan, "eval", "--ckpt", ckpt, "--data", held, "-n", str(n), "--seed", "0"] + (["--ema"] if ema else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"^swd_mean=([0-9.]+)", out, re.M).group(1))


def run_one(args, cfg, name, seed, data, kind, channels, side, info):
    run = os.path.join(args.work, "runs", name, os.path.splitext(os.path.basename(cfg))[0], str(seed))
    done = os.path.join(run, "done")
    if not os.path.exists(done):
        if os.path.exists(run):
            subprocess.run(["rm", "-rf", run], check=True)
        sets = {"data.path": data["train"], "data.format": kind, "data.channels": channels, "data.image_size": side,
                "data.holdout": args.holdout, "train.batch_size": args.batch, "train.steps": args.steps,
                "train.seed": seed, "train.threads": 0, "output.dir": run,
                "output.eval_every": args.eval_every if cfg == args.b else 0,
                "output.sample_every": args.steps, "output.checkpoint_every": args.steps,
                "output.tensorboard": "false"}
        cmd = [args.dcgan, "train", "--config", cfg]
        for k, v in list(sets.items()) + [tuple(s.split("=", 1)) for s in args.set]:
            cmd += ["--set", f"{k}={v}"]
        t0 = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
        seconds = time.time() - t0
        ckpt = os.path.join(run, "g.pt")
        res = {"seconds": seconds, "g": swd_of(args.dcgan, ckpt, data["held"], info["held"], False)}
        try:
            res["ema"] = swd_of(args.dcgan, ckpt, data["held"], info["held"], True)
        except subprocess.CalledProcessError:
            res["ema"] = None  # no average in this config
        log = open(os.path.join(run, "train.log")).read()
        best = os.path.join(run, "g-best.pt")
        if os.path.exists(best):  # chosen by the run against its held-back images; scored here on the held-out ones
            res["best"] = min(swd_of(args.dcgan, best, data["held"], info["held"], ema) for ema in (False, True))
            res["best_step"] = int(re.findall(r"best [0-9.]+ at step ([0-9]+)", log)[-1])
        rows = last_rows(os.path.join(run, "metrics.csv"))
        res.update({k: mean_of(rows, k) for k in ("r_t", "d_train", "d_holdout", "augment_p")})
        m = re.search(r"mirror: (on|off), [^(]*\(SWD ratio ([0-9.]+)", log)
        res["mirror"] = f"{m.group(1)} ({m.group(2)})" if m else ""
        json.dump(res, open(done, "w"))
    return json.load(open(done))


def spread(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None
    return statistics.mean(vals), (statistics.stdev(vals) if len(vals) > 1 else 0.0)


def fmt(ms):
    m, s = ms
    return "" if m is None else f"{m:.1f} ± {s:.1f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dcgan", default="build/dcgan")
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--work", default="build/small-data-eval")
    p.add_argument("--a", default="celeba")
    p.add_argument("--b", default="small-folder")
    p.add_argument("--seeds", default="999,1,2")
    p.add_argument("--sets", default="orl,celeba-1k,celeba-5k,cifar-1k,mnist-1k")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--size", type=int, default=0, help="image side for every set (0: 64 for faces, 32 otherwise)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--holdout", type=int, default=32, help="data.holdout of both configs (D on held-back images)")
    p.add_argument("--eval-every", type=int, default=500,
                   help="output.eval_every of B's runs (A's: 0): g-best.pt, chosen on the held-back images, scored here too")
    p.add_argument("--score", type=int, default=1024, help="held-out images to score against")
    p.add_argument("--set", action="append", default=[], help="another KEY=VALUE for every run")
    args = p.parse_args()
    specs = shared_sets(args.data)
    seeds = [int(s) for s in args.seeds.split(",")]
    t_all = time.time()
    la, lb = (os.path.splitext(os.path.basename(c))[0] for c in (args.a, args.b))
    print(f"| set | trained on / scored on | {la}: G | its average | {lb}: G | its average | "
          f"{lb} vs {la} | {la}: r_t, D train / held-back | {lb}: p, mirror |")
    print("|---|---|---|---|---|---|---|---|---|")
    best_lines = []
    for name in args.sets.split(","):
        if name not in specs:
            raise SystemExit(f"--sets: unknown set {name} (known: {', '.join(specs)})")
        data, kind, channels, side, info = prepare_set(name, specs[name], args.work, args.score)
        side = args.size or side
        res = {c: [run_one(args, c, name, s, data, kind, channels, side, info) for s in seeds] for c in (args.a, args.b)}
        cells = {}
        for c in (args.a, args.b):
            g, e = spread([r["g"] for r in res[c]]), spread([r["ema"] for r in res[c]])
            cells[c] = (g, e, min(v for v in (g[0], e[0]) if v is not None))
        gain = 100.0 * (cells[args.a][2] - cells[args.b][2]) / cells[args.a][2]
        a_rows = res[args.a]
        memo = (f"{statistics.mean(r['r_t'] for r in a_rows):.2f}, "
                f"{statistics.mean(r['d_train'] for r in a_rows):.2f} / "
                f"{statistics.mean(r['d_holdout'] for r in a_rows):.2f}") if a_rows[0].get("d_train") else ""
        b_rows = res[args.b]
        ps = [r["augment_p"] for r in b_rows if r.get("augment_p") is not None]
        bp = (f"{statistics.mean(ps):.2f}, " if ps else "") + (b_rows[0].get("mirror") or "")
        scored = f"{info['train'] - args.holdout} / {info['held']}" + (" (a quarter)" if info["held"] < args.score else "")
        print(f"| {name} {side}x{side} | {scored} | {fmt(cells[args.a][0])} | {fmt(cells[args.a][1])} | "
              f"{fmt(cells[args.b][0])} | {fmt(cells[args.b][1])} | {gain:+.0f}% | {memo} | {bp} |", flush=True)
        for c, label in ((args.a, la), (args.b, lb)):
            if all("best" in r for r in res[c]):
                last = spread([min(v for v in (r["g"], r["ema"]) if v is not None) for r in res[c]])
                steps = ", ".join(str(r["best_step"]) for r in res[c])
                best_lines.append(f"| {name} {side}x{side} | {label} | {fmt(last)} | "
                                  f"{fmt(spread([r['best'] for r in res[c]]))} | {steps} |")
    print(f"\n{len(seeds)} seeds ({args.seeds}), {args.steps} steps of batch {args.batch}; SWD x1e3 against the "
          f"held-out images, mean ± sample standard deviation; B vs A: on the better of G and its average, "
          f"positive = B lower (better). {time.time() - t_all:.0f} s.")
    if best_lines:
        print(f"\n| set | config | last step: the better of G and its average | g-best.pt (the better) | "
              f"chosen at step (per seed) |\n|---|---|---|---|---|")
        print("\n".join(best_lines))
        print(f"\ng-best.pt: the run's best SWD against its {args.holdout} held-back images every {args.eval_every} "
              f"steps; both columns scored against the held-out images as above.")


if __name__ == "__main__":
    sys.exit(main())
