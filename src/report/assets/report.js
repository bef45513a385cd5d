// report.html's script: draws the runs in the JSON of #dcgan-data (html_report.cpp) with uPlot. No network.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("dcgan-data").textContent);
  const runs = data.runs;
  const multi = runs.length > 1;
  const app = document.getElementById("app");
  const runColours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
  const columnColours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
  const dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  // The charts: metrics.csv's columns, each under the tutorial's or the log's name.
  const CHARTS = [
    { title: "Losses (the tutorial's plot)", y: "loss", cols: [["loss_d", "Loss_D"], ["loss_g", "Loss_G"]] },
    { title: "D's outputs", y: "probability", cols: [["d_x", "D(x)"], ["d_g_z1", "D(G(z)) before D's update"],
      ["d_g_z2", "D(G(z)) after"]] },
    { title: "SWD x1e3 against real images (lower is better)", y: "SWD x1e3",
      cols: [["swd", "G"], ["swd_ema", "average of G"]] },
    { title: "Overfitting: r_t, D on training and held-back images, augmentation p", y: "value",
      cols: [["r_t", "r_t"], ["d_train", "D on training"], ["d_holdout", "D on held-back"],
        ["augment_p", "augmentation p"]] },
    { title: "Speed", y: "images/s", cols: [["images_per_s", "images/s"]] },
  ];

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  function duration(s) {
    if (s == null) return "?";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + "h" : "") + (h || m ? m + "m" : "") + r + "s";
  }
  function fmt(v, digits) { return v == null ? "" : Number(v).toFixed(digits); }

  // Summary: one card per run.
  function summaryCard(run, i) {
    const s = run.status;
    const card = el("div", { class: "card" });
    const head = el("h3", { text: run.name });
    if (multi) head.style.color = runColours[i % runColours.length];
    card.append(head, el("div", { class: "sub", text: run.dir }));
    const done = s.total ? Math.min(1, s.step / s.total) : 0;
    const bar = el("div", { class: "bar" }, el("div"));
    bar.firstChild.style.width = (100 * done).toFixed(1) + "%";
    card.append(bar);
    const t = el("table", { class: "kv" });
    const row = (k, v, cls) => t.append(el("tr", {}, el("td", { text: k }), el("td", { text: v, class: cls || "" })));
    row("state", s.state);
    row("steps", s.step + (s.total ? " of " + s.total : ""));
    if (s.seconds != null) row("time", duration(s.seconds));
    if (s.images_per_s != null) row("images/s", fmt(s.images_per_s, 1) + " (median of the log)");
    if (s.best) row("g-best.pt", (s.best.file ? "" : "(file absent) ") + s.best.network + ", SWD x1e3 " +
      fmt(s.best.swd, 3) + " at step " + s.best.step);
    else row("g-best.pt", "no evaluation yet");
    card.append(t);
    for (const m of run.missing) card.append(el("div", { class: "missing", text: "missing: " + m }));
    if (run.warnings.length) {
      const w = el("details", { open: "" }, el("summary", { class: "warn", text: run.warnings.length + " warning(s)" }));
      for (const x of run.warnings) w.append(el("div", { class: "warn", text: "step " + x.step + ": " + x.text }));
      card.append(w);
    }
    return card;
  }

  // Config: what differs from the defaults (one run) or between runs (several); everything folded below.
  function configSection() {
    const keys = [];
    const values = runs.map((r) => new Map(r.config.map((c) => [c.key, c])));
    for (const r of runs) for (const c of r.config) if (!keys.includes(c.key)) keys.push(c.key);
    const differs = (k) => multi ? new Set(values.map((v) => (v.get(k) || {}).value)).size > 1
                                 : values[0].get(k).changed;
    const table = (rows) => {
      const t = el("table", { class: "cfg" });
      const head = el("tr", {}, el("th", { text: "key" }));
      for (const r of runs) head.append(el("th", { text: r.name }));
      if (!multi) head.append(el("th", { text: "default" }));
      t.append(head);
      for (const k of rows) {
        const tr = el("tr", { class: multi && differs(k) ? "diff" : "" }, el("td", { text: k }));
        for (const v of values) {
          const c = v.get(k);
          tr.append(el("td", { class: c && c.changed ? "changed" : "", text: c ? c.value : "(absent)" }));
        }
        if (!multi) tr.append(el("td", { text: values[0].get(k).default == null ? "(no such key now)" : values[0].get(k).default }));
        t.append(tr);
      }
      return t;
    };
    const diff = keys.filter(differs);
    const sec = [el("h2", { text: multi ? "Config: the differences between the runs" : "Config: what differs from the defaults" })];
    sec.push(diff.length ? table(diff) : el("div", { text: multi ? "The runs' configs are the same." : "All defaults." }));
    sec.push(el("details", {}, el("summary", { text: "all " + keys.length + " keys" }), table(keys)));
    return sec;
  }

  // Charts: one per group of columns; every run's columns that hold any value, overlaid on the step axis.
  const charts = [];
  function chartSection(container) {
    for (const spec of CHARTS) {
      const box = el("div", { class: "chart" });
      container.append(box);
      const tables = [], series = [{ label: "step" }], meta = [];
      runs.forEach((run, ri) => {
        const cols = run.metrics.columns, rows = run.metrics.rows, step = cols.indexOf("step");
        const present = spec.cols.filter(([c]) => cols.includes(c) &&
          rows.some((r) => r[cols.indexOf(c)] != null));
        if (!present.length || step < 0) return;
        const table = [rows.map((r) => r[step])];
        present.forEach(([c, label], ci) => {
          table.push(rows.map((r) => r[cols.indexOf(c)]));
          const colour = multi ? runColours[ri % runColours.length] : columnColours[ci % columnColours.length];
          series.push({ label: multi ? run.name + ": " + label : label, stroke: colour, width: 1.5,
            dash: multi ? dashes[ci % dashes.length] : [], spanGaps: true,
            points: { show: true, size: 4, fill: colour }, value: (u, v) => v == null ? "-" : v.toPrecision(4) });
          meta.push({ run: ri, column: c });
        });
        tables.push(table);
      });
      if (!tables.length) {
        box.append(el("div", { class: "note", text: spec.title + ": nothing logged yet" +
          (spec.cols[0][0] === "swd" ? " (output.eval_every evaluates)" : "") }));
        continue;
      }
      const aligned = tables.length === 1 ? tables[0] : uPlot.join(tables);
      const width = Math.max(320, box.clientWidth - 12);
      const u = new uPlot({ title: spec.title, width: width, height: 260, series: series,
        scales: { x: { time: false } }, axes: [{ label: "step" }, { label: spec.y, size: 60 }],
        legend: { live: true } }, aligned, box);
      charts.push({ title: spec.title, plot: u, series: meta });
    }
  }

  // The fixed-noise grids over the run: an animation with play/pause and a step slider, G or its average.
  function gridPanel(run, i) {
    const panel = el("div", { class: "grid-panel" });
    const title = el("h3", { text: run.name });
    if (multi) title.style.color = runColours[i % runColours.length];
    panel.append(title);
    if (!run.frames.length) {
      panel.append(el("div", { class: "missing", text: "no sample grid yet (output.sample_every writes them)" }));
      return panel;
    }
    let frames = run.frames, at = frames.length - 1, timer = null;
    const img = el("img", { alt: "fixed-noise samples", class: "grid" });
    // Small grids (32x32 images) at a whole multiple of their size, up to ~520 pixels wide: crisp, not blurred.
    img.addEventListener("load", () => {
      if (!img.style.width) img.style.width = img.naturalWidth * Math.max(1, Math.round(520 / img.naturalWidth)) + "px";
    });
    const label = el("span", { class: "step" });
    const slider = el("input", { type: "range", min: "0", max: String(frames.length - 1), value: String(at) });
    const play = el("button", { text: "play" });
    const show = (k) => {
      at = k;
      img.src = frames[k].src;
      slider.value = String(k);
      label.textContent = "step " + frames[k].step;
    };
    slider.addEventListener("input", () => show(Number(slider.value)));
    const stop = () => { clearInterval(timer); timer = null; play.textContent = "play"; };
    play.addEventListener("click", () => {
      if (timer) return stop();
      play.textContent = "pause";
      if (at === frames.length - 1) show(0);
      timer = setInterval(() => (at + 1 < frames.length ? show(at + 1) : stop()), 400);
    });
    const controls = el("div", { class: "controls" }, play, slider, label);
    if (run.frames_ema.length) {
      const pick = el("select", {}, el("option", { value: "g", text: "G" }), el("option", { value: "ema", text: "average of G" }));
      pick.addEventListener("change", () => {
        frames = pick.value === "ema" ? run.frames_ema : run.frames;
        slider.max = String(frames.length - 1);
        show(Math.min(at, frames.length - 1));
      });
      controls.append(pick);
    }
    const wrap = el("div", { class: "grid-wrap" });
    if (run.class_names.length) {
      const names = el("div", { class: "classes" });
      for (const n of run.class_names) names.append(el("div", { text: n }));
      wrap.append(names);
    }
    wrap.append(img);
    panel.append(wrap, controls);
    if (run.frames_total > run.frames.length)
      panel.append(el("div", { class: "sub", text: run.frames.length + " of " + run.frames_total + " grids, evenly spaced" }));
    show(at);
    panel.dcgan = { slider: slider, img: img, label: label, show: show };
    return panel;
  }

  document.title = document.title || "dcgan report";
  app.append(el("h1", { text: multi ? "dcgan: " + runs.length + " runs compared" : "dcgan run: " + runs[0].name }),
             el("div", { class: "sub", text: "written " + data.generated + "; reload to update a running run" }));
  app.append(el("h2", { text: "Summary" }), el("div", { class: "row" }, ...runs.map(summaryCard)));
  app.append(...configSection());
  app.append(el("h2", { text: "Curves" + (multi ? " (a colour per run, a dash per curve)" : "") }));
  const chartBox = el("div", { class: "charts" });
  app.append(chartBox);
  chartSection(chartBox);
  app.append(el("h2", { text: "Fixed-noise samples over the run" +
    (runs.some((r) => r.class_names.length) ? " (a row per class)" : "") }));
  const panels = runs.map(gridPanel);
  app.append(el("div", { class: "row" }, ...panels));
  if (runs.some((r) => r.real_vs_fake)) {
    app.append(el("h2", { text: "Real beside fake (the last sample step)" }));
    const row = el("div", { class: "row" });
    for (const r of runs) if (r.real_vs_fake)
      row.append(el("div", { class: "grid-panel" }, el("h3", { text: r.name }), el("img", { src: r.real_vs_fake, alt: "real beside fake" })));
    app.append(row);
  }
  window.addEventListener("resize", () => {
    for (const c of charts) c.plot.setSize({ width: Math.max(320, c.plot.root.parentNode.clientWidth - 12), height: 260 });
  });
  // For tests and scripts: the charts and the grid players.
  window.dcganReport = { charts: charts, players: panels.map((p) => p.dcgan || null), ready: true };
})();
