#!/usr/bin/env python3
"""Opens a report.html in Debian's headless Chromium (WebDriver, through chromedriver) and checks what a user sees.

Checks, each failing with one line: the page loads with no console error; every chart has one point per
metrics.csv row that holds a value of its column (and an x axis of every logged step); every column with a value is
charted; every image decodes; pressing Home on a grid's step slider shows another grid. --screenshot writes the whole
page as PNG. Python's standard library only: WebDriver is JSON over HTTP.

Usage: check_report.py PAGE --run DIR [--run DIR...] [--screenshot PNG] [--chromium PATH] [--chromedriver PATH]
(the --run folders in the page's order). Exit status 0: all checks passed; 1: a check failed; 77: no Chromium here.
"""
import argparse
import base64
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


class WebDriver:
    def __init__(self, chromedriver, chromium, profile):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while True:
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("chromedriver did not start within 20 s")
            time.sleep(0.1)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--allow-file-access-from-files", f"--user-data-dir={profile}", "--window-size=1400,1000"]
        caps = {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": chromium, "args": args}}
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"WebDriver {method} {path}: {e.read().decode(errors='replace')[:500]}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def close(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def read_metrics(run):
    with open(os.path.join(run, "metrics.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    return header, body


def check(ok, what, failures):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def check_charts(wd, runs, failures):
    charts = wd.js("""return window.dcganReport.charts.map(c => ({title: c.title, series: c.series,
                      x: c.plot.data[0], ys: c.plot.data.slice(1)}));""")
    check(len(charts) > 0, f"{len(charts)} chart(s) drawn", failures)
    steps = []
    charted = set()
    for run_index, run in enumerate(runs):
        header, body = read_metrics(run)
        steps.append({float(r[0]) for r in body})
        for chart in charts:
            for meta, ys in zip(chart["series"], chart["ys"]):
                if meta["run"] != run_index:
                    continue
                col = header.index(meta["column"])
                want = sum(1 for r in body if r[col] != "")
                got = sum(1 for y in ys if y is not None)
                charted.add((run_index, meta["column"]))
                check(got == want, f"{chart['title']}: {os.path.basename(run)} {meta['column']}: {got} points, "
                      f"metrics.csv has {want} rows with a value", failures)
        for col, name in enumerate(header):
            if name not in ("step", "epoch") and any(r[col] != "" for r in body):
                check((run_index, name) in charted, f"{os.path.basename(run)}: column {name} is charted", failures)
    for chart in charts:  # the x axis: every step logged by the runs the chart shows
        want = set().union(*(steps[i] for i in {m["run"] for m in chart["series"]}))
        check(sorted(chart["x"]) == sorted(want), f"{chart['title']}: x axis holds the {len(want)} logged step(s)",
              failures)


def check_images(wd, failures):
    deadline = time.time() + 30
    while True:
        imgs = wd.js("return [...document.images].map(i => [i.complete, i.naturalWidth, i.alt]);")
        if all(c for c, _, _ in imgs) or time.time() > deadline:
            break
        time.sleep(0.2)
    bad = [alt for c, w, alt in imgs if not c or w == 0]
    check(len(imgs) > 0 and not bad, f"{len(imgs)} image(s) decode" + (f"; not: {bad}" if bad else ""), failures)


def check_slider(wd, failures):
    before = wd.js("""const p = window.dcganReport.players.find(p => p);
                      return p ? [p.img.src.length, p.img.src.slice(-64), p.label.textContent, p.slider.max] : null;""")
    if before is None or int(before[3]) < 1:
        check(False, "a grid player with two or more grids", failures)
        return
    slider = wd.s("POST", "/element", {"using": "css selector", "value": ".grid-panel input[type=range]"})
    element = list(slider.values())[0]
    wd.s("POST", f"/element/{element}/click", {})
    wd.s("POST", f"/element/{element}/value", {"text": "\ue011"})  # Home: the first grid
    after = wd.js("""const p = window.dcganReport.players.find(p => p);
                     return [p.img.src.length, p.img.src.slice(-64), p.label.textContent, p.slider.value,
                             p.img.complete && p.img.naturalWidth > 0];""")
    check(after[2] != before[2] and after[3] == "0", f"the slider moved from '{before[2]}' to '{after[2]}'", failures)
    check(after[:2] != before[:2] and after[4], "the grid shown changed and decodes", failures)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page")
    ap.add_argument("--run", action="append", required=True)
    ap.add_argument("--screenshot")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    a = ap.parse_args()
    for tool in (a.chromium, a.chromedriver):
        if not os.access(tool, os.X_OK):
            print(f"check_report: {tool}: not found (Debian: apt install chromium chromium-driver)")
            return SKIP
    failures = []
    with tempfile.TemporaryDirectory() as profile:
        wd = WebDriver(a.chromedriver, a.chromium, profile)
        try:
            wd.s("POST", "/url", {"url": "file://" + os.path.abspath(a.page)})
            deadline = time.time() + 30
            while not wd.js("return !!(window.dcganReport && window.dcganReport.ready);"):
                if time.time() > deadline:
                    break
                time.sleep(0.2)
            check(wd.js("return !!(window.dcganReport && window.dcganReport.ready);"), "the page's script ran",
                  failures)
            check_charts(wd, a.run, failures)
            check_images(wd, failures)
            if a.screenshot:  # before the slider moves: the page as it opens
                height = wd.js("return document.documentElement.scrollHeight;")
                shot = wd.s("POST", "/goog/cdp/execute", {"cmd": "Page.captureScreenshot", "params": {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": 1400, "height": height, "scale": 1}}})
                with open(a.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                print(f"screenshot: {a.screenshot} (1400x{height})")
            check_slider(wd, failures)
            log = wd.s("POST", "/se/log", {"type": "browser"})
            errors = [e["message"] for e in log if e.get("level") == "SEVERE"]
            check(not errors, "no console error" + (f": {errors[:3]}" if errors else ""), failures)
        finally:
            wd.close()
    if failures:
        print(f"check_report: {len(failures)} check(s) failed: {failures[0]}")
        return 1
    print("check_report: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
