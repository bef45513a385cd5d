#!/usr/bin/env python3
"""Small-data evaluation: config A against config B, over seeds and data sets, scored on images never trained on.

Each set is split at random (a fixed seed, the same split for every run): --score images are held out for the
score (a quarter where the set is smaller than twice that, said in the table), and up to 1,000 of the rest train
(5,000 for celeba-5k). Not by position: the last images of a source are often another population (MNIST's test set
ends with 5,000 digits from NIST's harder test writers, ORL's last folders are other people), and a score against
them measures that shift, not the generator: against the last images, the training images themselves scored 39.9 on
MNIST and 45.2 on ORL, no better than the generators.
Every run trains A or B with the same data overrides, then `dcgan eval` measures the SWD x1e3 of G and of its moving
average against the held-out images (-n = their count), averaged over eval seeds 0..K-1 with K = ceil(--score-images
/ held-out count), so that at least --score-images generated images are compared. Beside them, the training images
themselves are scored the same way (`dcgan eval --real`): what a generator that reproduced them exactly would reach.
Prints a Markdown table: mean and spread (sample standard deviation) over the seeds, B against A on the better of G
and its average, and whether A's run memorises (r_t above 0.9 with D on held-back images clearly below D on
training images over its last three log steps). B's runs also
evaluate every --eval-every steps against their held-back images and keep g-best.pt; a second table scores it like
the last step, beside it.
With --score-every N, every run also keeps its checkpoints every N steps and each is scored the same way: a row per
length, one run giving the curve. Python's standard library only. Finished runs (a `done` file beside g.pt) are kept
and not run again while their training command is the same (same steps, overrides and scored steps).
Every finished run's scores are also written to --results (docs/small-data-eval/, kept in the repository), keyed by
its training command with this machine's paths named and by its config file's content; a run found there is not
trained again, on this machine or another, so a table too long for one sitting grows over several. Each result
names the machine, commit and date that made it, and the table's footnote counts the runs it took from there.
"""
import argparse
import concurrent.futures
import gzip
import hashlib
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time

TRAINING = set()  # the `dcgan train` processes running now (--jobs): stopped when one run fails
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


SPLIT = "random, seed 0"


def split_order(n, held):
    """Positions of the held-out images, then the rest, both in a fixed random order."""
    order = list(range(n))
    random.Random(0).shuffle(order)
    return order[:held], order[held:]


def train_count(name, total, held):
    wanted = {"celeba-5k": 5000}.get(name, 1000)
    return min(wanted, total - held)


def held_count(total, score):
    return score if total >= 2 * score else total // 4


def split_idx(src, out, score):
    raw = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    size = h * w
    held = held_count(n, score)
    k = train_count(out["name"], n, held)

    held_at, rest = split_order(n, held)

    def write(path, positions):
        head = raw[:4] + len(positions).to_bytes(4, "big") + raw[8:16]
        with open(path, "wb") as f:
            f.write(head + b"".join(raw[16 + i * size:16 + (i + 1) * size] for i in positions))
    write(out["train"], rest[:k])
    write(out["held"], held_at)
    return k, held, n


def split_cifar(src, out, score):
    raw = open(src, "rb").read()
    rec = 3073
    n = len(raw) // rec
    held = held_count(n, score)
    k = train_count(out["name"], n, held)
    held_at, rest = split_order(n, held)
    open(out["train"], "wb").write(b"".join(raw[i * rec:(i + 1) * rec] for i in rest[:k]))
    open(out["held"], "wb").write(b"".join(raw[i * rec:(i + 1) * rec] for i in held_at))
    return k, held, n


def split_folder(src, out, score):
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs if f.lower().endswith(IMAGE_EXT))
    n = len(files)
    held = held_count(n, score)
    k = train_count(out["name"], n, held)
    held_at, rest = split_order(n, held)
    for folder, chosen in ((out["train"], [files[i] for i in rest[:k]]), (out["held"], [files[i] for i in held_at])):
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
    ext = {"idx": ".idx", "cifar10": ".bin", "folder": ""}[kind]
    out = {"name": name, "train": os.path.join(base, "train" + ext), "held": os.path.join(base, "held" + ext)}
    info_path = os.path.join(base, "split.json")
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    if info.get("split") != SPLIT:  # a new split: the set's runs trained on another one, so they go too
        subprocess.run(["rm", "-rf", base, os.path.join(work, "runs", name)], check=True)
        os.makedirs(base)
        k, held, n = {"idx": split_idx, "cifar10": split_cifar, "folder": split_folder}[kind](src, out, score)
        info = {"train": k, "held": held, "total": n, "split": SPLIT}
        json.dump(info, open(info_path, "w"))
    return out, kind, channels, side, info


def read_rows(metrics):
    lines = open(metrics).read().split("\n")
    head = lines[0].split(",")
    return [dict(zip(head, l.split(","))) for l in lines[1:] if l]


def mean_of(rows, key):
    vals = [float(r[key]) for r in rows if r.get(key)]
    return sum(vals) / len(vals) if vals else None


def swd_of(args, ckpt, held, n, ema=False, real=None):
    """SWD x1e3 against the n held-out images, the mean over eval seeds 0..K-1 (K = ceil(--score-images / n))."""
    extra = (["--ema"] if ema else []) + (["--real", real] if real else [])
    vals = []
    for seed in range(math.ceil(args.score_images / n)):
        cmd = [args.dcgan, "eval", "--ckpt", ckpt, "--data", held, "-n", str(n), "--seed", str(seed)] + extra
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        vals.append(float(re.search(r"^swd_mean=([0-9.]+)", out, re.M).group(1)))
    return statistics.mean(vals)


def score_interval(args):
    """Steps between scored checkpoints: --score-every, or the whole run when it is 0."""
    return args.score_every or args.steps


def scored_steps(args):
    """The steps whose generators are scored: every score_interval steps and the last."""
    every = score_interval(args)
    return sorted(set(range(every, args.steps + 1, every)) | {args.steps})


def train_command(args, cfg, run, seed, data, kind, channels, side):
    every = score_interval(args)
    sets = {"data.path": data["train"], "data.format": kind, "data.channels": channels, "data.image_size": side,
            "data.holdout": args.holdout, "train.batch_size": args.batch, "train.steps": args.steps,
            "train.seed": seed, "train.threads": 0, "output.dir": run,
            "output.eval_every": args.eval_every if cfg == args.b else 0,
            "output.sample_every": every, "output.checkpoint_every": every,
            "output.keep_checkpoints": len(scored_steps(args)), "output.tensorboard": "false"}
    cmd = [args.dcgan, "train", "--config", cfg]
    for k, v in list(sets.items()) + [tuple(s.split("=", 1)) for s in args.set]:
        cmd += ["--set", f"{k}={v}"]
    return cmd


def score_step(args, run, step, data, info, rows):
    """G and its average at `step` scored against the held-out images; D's figures over the 3 log steps to it."""
    ckpt = os.path.join(run, "checkpoints", f"step-{step:06d}.pt")
    res = {"g": swd_of(args, ckpt, data["held"], info["held"])}
    try:
        res["ema"] = swd_of(args, ckpt, data["held"], info["held"], ema=True)
    except subprocess.CalledProcessError:
        res["ema"] = None  # no average in this config
    upto = [r for r in rows if int(r["step"]) <= step][-3:]
    res.update({k: mean_of(upto, k) for k in ("r_t", "d_train", "d_holdout", "augment_p")})
    return res


def scoring(args):
    """What a run's scores depend on beyond its training command."""
    return {"split": SPLIT, "score": args.score, "score_images": args.score_images}


def config_file(cfg):
    """The YAML file `dcgan train --config cfg` reads: cfg itself when it is a file, else configs/<cfg>.yaml."""
    path = cfg if os.path.isfile(cfg) else os.path.join("configs", f"{cfg}.yaml")
    if not os.path.isfile(path):
        raise SystemExit(f"{cfg}: no such config (nor {path})")
    return path


def config_stem(cfg):
    """The name a config goes by in run folders, result files and the table: its file name without .yaml."""
    return os.path.splitext(os.path.basename(cfg))[0]


def stored_path(args, cfg, name, seed, cmd):
    """Where --results keeps this run: named by set, config, seed and steps, and a digest of the training command
    (this machine's binary and work folder named, not spelled) with the config file's text."""
    work = args.work.rstrip("/")
    key = ["dcgan" if a == args.dcgan else a.replace(work, "WORK") for a in cmd]
    stem = config_stem(cfg)
    key[cmd.index("--config") + 1] = stem
    text = json.dumps([key, scoring(args)]) + open(config_file(cfg), encoding="utf-8").read()
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return os.path.join(args.results, name, f"{stem}-seed{seed}-{args.steps}-{digest}.json"), key


def provenance():
    """The machine (CPU model, family/model, cores), commit and date of a result."""
    info = {}
    for line in open("/proc/cpuinfo"):
        k, _, v = line.partition(":")
        info.setdefault(k.strip(), v.strip())
    cpu = f"{info.get('model name', platform.machine())} (family {info.get('cpu family', '?')} " \
          f"model {info.get('model', '?')}), {os.cpu_count()} cores" + \
          (", avx512" if "avx512f" in info.get("flags", "").split() else "")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {"machine": cpu, "commit": commit, "date": time.strftime("%Y-%m-%d")}


def train_and_score(args, run, cmd, data, info):
    """Trains `cmd` into `run` afresh and scores it: the `done` record."""
    subprocess.run(["rm", "-rf", run], check=True)
    t0 = time.time()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        TRAINING.add(proc)
        out, err = proc.communicate()
        TRAINING.discard(proc)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n{out[-2000:]}{err[-2000:]}")
    res = {"cmd": cmd, "scoring": scoring(args), "seconds": time.time() - t0}
    rows = read_rows(os.path.join(run, "metrics.csv"))
    res["at"] = {str(s): score_step(args, run, s, data, info, rows) for s in scored_steps(args)}
    log = open(os.path.join(run, "train.log")).read()
    best = os.path.join(run, "g-best.pt")
    if os.path.exists(best):  # chosen by the run against its held-back images; scored here on the held-out ones
        res["best"] = min(swd_of(args, best, data["held"], info["held"], ema=ema) for ema in (False, True))
        res["best_step"] = int(re.findall(r"best [0-9.]+ at step ([0-9]+)", log)[-1])
    m = re.search(r"mirror: (on|off), [^(]*\(SWD ratio ([0-9.]+)", log)
    res["mirror"] = f"{m.group(1)} ({m.group(2)})" if m else ""
    return res


def run_one(args, cfg, name, seed, data, kind, channels, side, info):
    """Trains (unless a finished run of the same command is kept here or in --results) and scores every scored
    step; the result has `run` (its folder, None when taken from --results)."""
    run = os.path.join(args.work, "runs", name, config_stem(cfg), str(seed))
    done = os.path.join(run, "done")
    cmd = train_command(args, cfg, run, seed, data, kind, channels, side)
    kept = json.load(open(done)) if os.path.exists(done) else {}
    stored, key = stored_path(args, cfg, name, seed, cmd) if args.results else (None, None)
    if kept.get("cmd") != cmd or kept.get("scoring") != scoring(args):  # none, or made by another command
        if stored and os.path.exists(stored):
            return dict(json.load(open(stored)), run=None)
        kept = dict(train_and_score(args, run, cmd, data, info), **provenance())
        json.dump(kept, open(done, "w"))
    if stored and not os.path.exists(stored):
        os.makedirs(os.path.dirname(stored), exist_ok=True)
        record = dict(provenance(), **{k: v for k, v in kept.items() if k != "cmd"})
        json.dump(dict(record, key=key), open(stored, "w"), indent=1)
    return dict(kept, run=run)


def training_images_score(args, name, data, info, side, runs):
    """The training split itself scored like a generator (its size and channels from a local run's g.pt); kept in
    that run's folder and in --results."""
    paths = [os.path.join(args.results, name, f"training-images-{side}px-held{info['held']}-n{args.score_images}.json")
             ] if args.results else []
    local = [r["run"] for r in runs if r["run"]]
    paths += [os.path.join(local[0], "training-images.json")] if local else []
    stored = {p: json.load(open(p)) for p in paths if os.path.exists(p)}
    found = next((p for p in paths if stored.get(p, {}).get("split") == SPLIT), None)
    if found:
        swd = stored[found]["swd"]
    elif local:
        swd = swd_of(args, os.path.join(local[0], "g.pt"), data["held"], info["held"], real=data["train"])
    else:
        raise SystemExit(f"{paths[0]}: missing, and no run of {name} is here to measure it with (delete the set's "
                         f"results in {args.results} to train it again)")
    for p in paths:
        if p != found:
            json.dump({"swd": swd, "split": SPLIT}, open(p, "w"))
    return swd


def spread(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None
    return statistics.mean(vals), (statistics.stdev(vals) if len(vals) > 1 else 0.0)


def fmt(ms):
    m, s = ms
    return "" if m is None else f"{m:.1f} ± {s:.1f}"


def better(scores):
    return min(v for v in (scores["g"], scores["ema"]) if v is not None)


def table_cells(args, at, b_runs):
    """A's and B's G and average, B against A, A's memorising figures, B's p and flips: one step's cells."""
    cells = {}
    for c in (args.a, args.b):
        g, e = spread([r["g"] for r in at[c]]), spread([r["ema"] for r in at[c]])
        cells[c] = (g, e, min(v for v in (g[0], e[0]) if v is not None))
    gain = 100.0 * (cells[args.a][2] - cells[args.b][2]) / cells[args.a][2]
    a_rows = at[args.a]
    memo = (f"{statistics.mean(r['r_t'] for r in a_rows):.2f}, "
            f"{statistics.mean(r['d_train'] for r in a_rows):.2f} / "
            f"{statistics.mean(r['d_holdout'] for r in a_rows):.2f}") if a_rows[0].get("d_train") else ""
    ps = [r["augment_p"] for r in at[args.b] if r.get("augment_p") is not None]
    bp = (f"{statistics.mean(ps):.2f}, " if ps else "") + (b_runs[0].get("mirror") or "")
    return (f"{fmt(cells[args.a][0])} | {fmt(cells[args.a][1])} | {fmt(cells[args.b][0])} | {fmt(cells[args.b][1])} | "
            f"{gain:+.0f}% | {memo} | {bp}")


def taken_note(args, runs):
    """The footnote's account of the runs: training time, and those taken from --results with who made them."""
    note = f" Training: {sum(r['seconds'] for r in runs) / 60:.0f} min over {len(runs)} runs."
    taken = [r for r in runs if r["run"] is None]
    if taken:
        made = sorted({f"{r.get('machine', '?')} at {r.get('commit', '?')}" for r in taken})
        note += f" {len(taken)} of them taken from {args.results}: made on {'; '.join(made)}."
    return note


def train_all(args, sets, seeds):
    """Every set's runs of A and B (one of each seed; one when A and B are the same config), --jobs at a time, in
    the order the table prints them: {set: {config: [result per seed]}}. A failed run stops the others (SIGTERM:
    they checkpoint and exit) and its error ends the script."""
    configs = list(dict.fromkeys((args.a, args.b)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = {(name, c, s): pool.submit(run_one, args, c, name, s, *sets[name]) for name in sets
                for c in configs for s in seeds}
        try:
            for name in sets:
                yield name, {c: [jobs[(name, c, s)].result() for s in seeds] for c in configs}
        except BaseException:
            for job in jobs.values():
                job.cancel()
            for proc in list(TRAINING):
                proc.terminate()
            raise


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
    p.add_argument("--score-every", type=int, default=0,
                   help="also score every run's generators every this many steps (0: only the last step)")
    p.add_argument("--score", type=int, default=1024, help="held-out images to score against")
    p.add_argument("--score-images", type=int, default=1024,
                   help="generated images compared in all: eval seeds = ceil(this / held-out count), averaged")
    p.add_argument("--set", action="append", default=[], help="another KEY=VALUE for every run")
    p.add_argument("--jobs", type=int, default=1,
                   help="runs trained side by side; give each its share of the cores with --set train.threads=K "
                        "(2 cores: --jobs 2 --set train.threads=1)")
    p.add_argument("--results", default="docs/small-data-eval",
                   help="finished runs' scores, kept in the repository: a run found there is not trained again "
                        "('' for none)")
    args = p.parse_args()
    if args.steps < 1 or args.score_every < 0:
        raise SystemExit(f"--steps {args.steps} --score-every {args.score_every}: steps must be at least 1, "
                         f"score-every 0 (the last step only) or more")
    if args.jobs < 1 or (args.jobs > 1 and not any(s.startswith("train.threads=") for s in args.set)):
        raise SystemExit(f"--jobs {args.jobs}: at least 1, and above 1 only with --set train.threads=K (about cores / "
                         f"jobs), or every run uses every core and they slow each other down")
    specs = shared_sets(args.data)
    seeds = [int(s) for s in args.seeds.split(",")]
    t_all = time.time()
    la, lb = config_stem(args.a), config_stem(args.b)
    print(f"| set | trained on / scored on | training images | {la}: G | its average | {lb}: G | its average | "
          f"{lb} vs {la} | {la}: r_t, D train / held-back | {lb}: p, mirror |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    best_lines, runs, sets = [], [], {}
    for name in args.sets.split(","):
        if name not in specs:
            raise SystemExit(f"--sets: unknown set {name} (known: {', '.join(specs)})")
        data, kind, channels, side, info = prepare_set(name, specs[name], args.work, args.score)
        sets[name] = (data, kind, channels, args.size or side, info)
    for name, res in train_all(args, sets, seeds):
        data, _, _, side, info = sets[name]
        runs += [r for c in res for r in res[c]]  # res has one key when --a and --b are the same config
        scored = f"{info['train'] - args.holdout} / {info['held']}" + (" (a quarter)" if info["held"] < args.score else "")
        floor = training_images_score(args, name, data, info, side, res[args.a])
        for step in scored_steps(args):
            at = {c: [r["at"][str(step)] for r in res[c]] for c in res}
            label = f"{name} {side}x{side}" + (f", step {step}" if args.score_every else "")
            print(f"| {label} | {scored} | {floor:.1f} | {table_cells(args, at, res[args.b])} |", flush=True)
        for c, label in ((args.a, la), (args.b, lb)):
            if all("best" in r for r in res[c]):
                last = spread([better(r["at"][str(args.steps)]) for r in res[c]])
                steps = ", ".join(str(r["best_step"]) for r in res[c])
                best_lines.append(f"| {name} {side}x{side} | {label} | {fmt(last)} | "
                                  f"{fmt(spread([r['best'] for r in res[c]]))} | {steps} |")
    print(f"\n{len(seeds)} seeds ({args.seeds}), {args.steps} steps of batch {args.batch}; SWD x1e3 against the "
          f"held-out images, mean ± sample standard deviation; B vs A: on the better of G and its average, "
          f"positive = B lower (better). {time.time() - t_all:.0f} s.{taken_note(args, runs)}")
    if best_lines:
        print(f"\n| set | config | last step: the better of G and its average | g-best.pt (the better) | "
              f"chosen at step (per seed) |\n|---|---|---|---|---|")
        print("\n".join(best_lines))
        print(f"\ng-best.pt: the run's best SWD against its {args.holdout} held-back images every {args.eval_every} "
              f"steps; both columns scored against the held-out images as above.")


if __name__ == "__main__":
    sys.exit(main())
