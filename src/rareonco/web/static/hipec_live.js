// HIPEC live page: one Plotly trace per probe, the target band shaded, fed by the procedure's
// server-sent-event stream (snapshot, then samples / alarm / ack / status events); above it, what
// a perfusionist reads from two metres: the current value of every probe coloured by its state
// with its trend over the last 30 s, time in range and minutes remaining of the prescribed
// duration, and the active (unacknowledged) alarms with their level and Acknowledge.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("hipec-config").textContent);
  const L = cfg.labels || {};
  function label(group, key) { return ((L[group] || {})[key]) || key.replace(/_/g, " "); }
  const chart = document.getElementById("hipec-chart");
  const alarmsList = document.getElementById("hipec-alarms");
  const noAlarms = document.getElementById("hipec-no-alarms");
  const conn = document.getElementById("hipec-conn");
  const clock = document.getElementById("hipec-clock");
  const readings = document.getElementById("hipec-readings");
  const active = document.getElementById("hipec-active");
  const tirEl = document.getElementById("hipec-tir");
  const remainingEl = document.getElementById("hipec-remaining");
  const analysisEl = document.getElementById("hipec-analysis");
  const MAX_POINTS = 20000; // per trace kept in the browser
  const TREND_S = 30, TREND_C_MIN = 0.1; // trend window (s); steady within +/- 0.1 C/min
  const CORE = ["core", "oesophageal", "esophageal", "bladder", "rectal", "nasopharyngeal"];
  const rx = cfg.rx || {low: cfg.target[0], high: cfg.target[1], ipMax: cfg.target[1] + 0.5,
                        circuitMax: cfg.target[1] + 1.5, coreMax: 39, underMargin: 0.5,
                        maxGap: 30, quiet: 10, durationMin: 60};
  // `points`: what the chart holds (the snapshot is thinned); `stored`: the samples on the
  // server, the count the analysis reports too (one source of truth for the header)
  let traceOf = {}, lastT = -Infinity, points = 0, stored = 0, pending = null;
  let probes = {}, tirS = 0, prevT = null, therapeutic = false, alarms = {};
  let finished = cfg.status === "finished", es = null, lastRefresh = 0, nowDirty = false;

  // -- current values, trend, time in range ---------------------------------------------------
  function isIp(name) { return name.indexOf("ip_") === 0; }
  function isCore(name) { return CORE.indexOf(name) >= 0 || name.indexOf("core_") === 0; }

  function stateOf(name, v) {
    if (isCore(name)) return v > rx.coreMax ? "above" : "in";
    if (v < rx.low) return "below";
    if (isIp(name)) return v > rx.high ? "above" : "in";
    return v > rx.circuitMax ? "above" : "in";
  }

  function sample(t, values) {
    // therapeutic time as the alarm engine counts it: every fresh intraperitoneal value at or
    // above the target's low end less the under margin; gaps count up to maxGap s
    if (prevT !== null && therapeutic) tirS += Math.min(t - prevT, rx.maxGap);
    prevT = t;
    Object.keys(values).forEach(function (name) {
      const v = values[name];
      if (v === null || v === undefined || isNaN(v)) return;
      const p = probes[name] || (probes[name] = {last: NaN, lastT: -Infinity, buf: []});
      p.last = v; p.lastT = t; p.buf.push([t, v]);
      while (p.buf.length && p.buf[0][0] < t - TREND_S) p.buf.shift();
    });
    let ip = 0, low = Infinity;
    Object.keys(probes).forEach(function (name) {
      const p = probes[name];
      if (isIp(name) && t - p.lastT < rx.quiet) { ip += 1; low = Math.min(low, p.last); }
    });
    therapeutic = ip > 0 && low >= rx.low - rx.underMargin;
    nowDirty = true;
  }

  function columnsSamples(columns, indices) {
    const names = Object.keys(columns.probes || {});
    indices.forEach(function (i) {
      const values = {};
      names.forEach(function (n) { values[n] = columns.probes[n][i]; });
      sample(columns.t_s[i], values);
    });
  }

  function trendOf(p) {
    const b = p.buf;
    if (b.length < 3 || b[b.length - 1][0] - b[0][0] < TREND_S / 3) return "steady";
    let st = 0, sv = 0;
    b.forEach(function (x) { st += x[0]; sv += x[1]; });
    st /= b.length; sv /= b.length;
    let num = 0, den = 0;
    b.forEach(function (x) { num += (x[0] - st) * (x[1] - sv); den += (x[0] - st) * (x[0] - st); });
    const perMin = den > 0 ? 60 * num / den : 0;
    return perMin > TREND_C_MIN ? "rising" : perMin < -TREND_C_MIN ? "falling" : "steady";
  }

  const ARROW = {rising: "\u2191", falling: "\u2193", steady: "\u2192"};

  function renderNow() {
    nowDirty = false;
    const names = Object.keys(probes).sort(function (a, b) {
      return (isIp(b) - isIp(a)) || (isCore(a) - isCore(b)) || (a < b ? -1 : 1);
    });
    if (names.length) {
      readings.textContent = "";
      names.forEach(function (name) {
        const p = probes[name], st = stateOf(name, p.last), tr = trendOf(p);
        const tile = document.createElement("div");
        tile.className = "hipec-probe state-" + st + (lastT - p.lastT >= rx.quiet ? " stale" : "");
        tile.dataset.probe = name; tile.dataset.state = st; tile.dataset.trend = tr;
        tile.setAttribute("data-testid", "hipec-probe");
        const n = document.createElement("span"); n.className = "name"; n.textContent = label("probes", name);
        const v = document.createElement("span"); v.className = "value"; v.textContent = p.last.toFixed(1);
        const u = document.createElement("span"); u.className = "unit"; u.textContent = "\u00b0C";
        const a = document.createElement("span"); a.className = "trend"; a.textContent = ARROW[tr];
        a.title = label("trend", tr);
        const s = document.createElement("span"); s.className = "state"; s.textContent = label("state", st) + " \u00b7 " + label("trend", tr);
        tile.append(n, v, u, a, s);
        readings.append(tile);
      });
    }
    tirEl.textContent = (tirS / 60).toFixed(1);
    remainingEl.textContent = Math.max(0, rx.durationMin - tirS / 60).toFixed(1);
    renderActive();
  }

  function layout() {
    return {
      margin: {l: 50, r: 20, t: 10, b: 40}, uirevision: "keep",
      xaxis: {title: {text: L.time || "time (min)"}, rangemode: "tozero"},
      yaxis: {title: {text: L.temperature || "temperature (°C)"}},
      legend: {orientation: "h"},
      shapes: [{type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: cfg.target[0],
                y1: cfg.target[1], fillcolor: "#2ca02c", opacity: 0.15, line: {width: 0},
                layer: "below"}],
    };
  }

  function reset(columns) {
    traceOf = {}; points = 0; lastT = -Infinity;
    const traces = [];
    const t = columns.t_s || [];
    Object.keys(columns.probes || {}).forEach(function (name) {
      traceOf[name] = traces.length;
      traces.push({name: label("probes", name), mode: "lines", type: "scatter", connectgaps: false,
                   x: t.map(function (s) { return s / 60; }), y: columns.probes[name]});
    });
    if (t.length) { lastT = t[t.length - 1]; points = t.length; }
    probes = {}; tirS = 0; prevT = null; therapeutic = false;
    columnsSamples(columns, t.map(function (_, i) { return i; }));
    Plotly.react(chart, traces, layout(), {responsive: true, displaylogo: false});
    show();
    renderNow();
  }

  function show() {
    chart.dataset.points = String(points);
    if (isFinite(lastT)) {
      const m = Math.floor(lastT / 60), s = Math.floor(lastT % 60);
      clock.textContent = "t = " + m + ":" + String(s).padStart(2, "0") + " · " + stored + " " + (L.samples || "samples");
    }
  }

  function queue(columns) {
    const keep = [];
    columns.t_s.forEach(function (t, i) { if (t > lastT) keep.push(i); });
    if (!keep.length) return;
    columnsSamples(columns, keep);
    lastT = columns.t_s[keep[keep.length - 1]];
    points += keep.length;
    stored += keep.length;
    if (!pending) pending = {};
    Object.keys(columns.probes).forEach(function (name) {
      const p = pending[name] || (pending[name] = {x: [], y: []});
      keep.forEach(function (i) { p.x.push(columns.t_s[i] / 60); p.y.push(columns.probes[name][i]); });
    });
    window.requestAnimationFrame(flush);
  }

  function flush() {
    if (!pending) return;
    const batch = pending; pending = null;
    const xs = [], ys = [], idx = [];
    Object.keys(batch).forEach(function (name) {
      if (!(name in traceOf)) {
        traceOf[name] = chart.data ? chart.data.length : 0;
        Plotly.addTraces(chart, {name: label("probes", name), mode: "lines", type: "scatter", x: [], y: []});
      }
      xs.push(batch[name].x); ys.push(batch[name].y); idx.push(traceOf[name]);
    });
    Plotly.extendTraces(chart, {x: xs, y: ys}, idx, MAX_POINTS);
    show();
    if (nowDirty) renderNow();
    refreshAnalysis(false);
  }

  // the analysis panel follows the run: at the first samples, then every 10 s at most
  function refreshAnalysis(force) {
    const now = Date.now();
    if (!analysisEl || (!force && lastRefresh && now - lastRefresh < 10000)) return;
    lastRefresh = now;
    analysisEl.dispatchEvent(new Event("hipec-refresh"));
  }

  function fmtT(t) {
    const m = Math.floor(t / 60), s = (t % 60).toFixed(0);
    return m + ":" + s.padStart(2, "0");
  }

  function alarmText(a) {
    // the engine's message is English: other languages name the alarm from the vocabulary
    const what = L.lang === "en" || !(L.alarm || {})[a.type] ? a.message
      : label("alarm", a.type) + (a.value === null || a.value === undefined ? ""
        : ": " + a.value.toLocaleString(L.lang, {maximumFractionDigits: 1}));
    return (a.probe ? label("probes", a.probe) + " \u00b7 " : "") + what;
  }

  function crossingText(a) {
    if (a.predicted_crossing_s === null || a.predicted_crossing_s === undefined) return "";
    const n = Math.max(0, Math.round(a.predicted_crossing_s - Math.max(lastT, a.t_s)));
    return (L.crossingIn || "crossing in {n} s").replace("{n}", String(n));
  }

  function renderActive() {
    // the latest announcement of each episode; active while it is not acknowledged
    const latest = {};
    Object.keys(alarms).forEach(function (id) {
      const a = alarms[id];
      const key = a.type + "|" + (a.probe || "") + "|" + (a.episode === null || a.episode === undefined ? "id" + a.id : a.episode);
      const b = latest[key];
      if (!b || a.t_s > b.t_s || (a.t_s === b.t_s && a.id > b.id)) latest[key] = a;
    });
    const all = Object.keys(latest).map(function (k) { return latest[k]; });
    // a forecast is over once the real alarm on its probe has been raised after it
    const real = {};
    all.forEach(function (a) {
      if (!/_predicted$/.test(a.type)) {
        const k = a.type + "|" + (a.probe || "");
        real[k] = Math.max(real[k] === undefined ? -Infinity : real[k], a.t_s);
      }
    });
    const open = all
      .filter(function (a) {
        if (a.acknowledged_at) return false;
        const k = a.type.replace(/_predicted$/, "") + "|" + (a.probe || "");
        return !(/_predicted$/.test(a.type) && real[k] !== undefined && real[k] >= a.t_s);
      })
      .sort(function (a, b) { return (b.level || 1) - (a.level || 1) || b.t_s - a.t_s; });
    active.textContent = "";
    open.forEach(function (a) {
      const predicted = /_predicted$/.test(a.type);
      const div = document.createElement("div");
      div.className = "active-alarm level-" + (a.level || 1) + (predicted ? " predicted" : "");
      div.dataset.alarmId = a.id; div.dataset.type = a.type; div.dataset.level = a.level || 1;
      div.setAttribute("role", "alert");
      const badge = document.createElement("span"); badge.className = "badge";
      badge.textContent = (L.level || "level") + " " + (a.level || 1);
      const strong = document.createElement("strong"); strong.textContent = label("alarm", a.type);
      div.append(badge, " ", strong, " " + fmtT(a.t_s) + " " + alarmText(a) + " ");
      if (predicted) {
        const c = document.createElement("span"); c.className = "crossing";
        c.textContent = crossingText(a);
        div.append(c);
      }
      if (cfg.canWrite && !finished) {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = cfg.ackLabel;
        b.addEventListener("click", function () { ack(a.id, b); });
        div.append(b);
      }
      active.append(div);
    });
  }

  function renderAlarm(a) {
    alarms[a.id] = a;
    let li = alarmsList.querySelector('[data-alarm-id="' + a.id + '"]');
    if (!li) {
      li = document.createElement("li");
      li.dataset.alarmId = a.id;
      alarmsList.prepend(li);
    }
    li.dataset.type = a.type;
    li.className = a.acknowledged_at ? "alarm acked" : "alarm open";
    li.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = label("alarm", a.type);
    li.append(fmtT(a.t_s) + " ", strong, " " + a.message + " ");
    if (/_predicted$/.test(a.type) && a.predicted_crossing_s !== null && a.predicted_crossing_s !== undefined) {
      li.append("(" + (L.crossingIn || "crossing in {n} s").replace("{n}", String(Math.max(0, Math.round(a.predicted_crossing_s - a.t_s)))) + ") ");
    }
    if (a.acknowledged_at) {
      const s = document.createElement("span");
      s.className = "muted";
      s.textContent = (L.ackedBy || "acknowledged by") + " " + a.acknowledged_by;
      li.append(s);
    } else if (cfg.canWrite) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = cfg.ackLabel;
      b.addEventListener("click", function () { ack(a.id, b); });
      li.append(b);
    }
    noAlarms.hidden = alarmsList.children.length > 0;
    renderActive();
  }

  function post(url, body, method) {
    return fetch(url, {method: method || "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/json", "X-CSRF-Token": cfg.csrf},
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.status); return j; });
      });
  }

  function ack(id, button) {
    button.disabled = true;
    post(cfg.api + "/alarms/" + id + "/ack", {}).then(renderAlarm)
      .catch(function (e) { button.disabled = false; alert(e.message); });
  }

  function setStatus(status) {
    document.querySelector("[data-testid=hipec-status]").textContent = label("status", status);
    if (status === "finished") finish();
  }

  function finish() {
    // a finished perfusion takes no more samples: say so and stop listening
    finished = true;
    conn.textContent = L.finished || "finished";
    conn.className = "hipec-conn finished";
    if (es) { es.close(); es = null; }
    renderActive();
    refreshAnalysis(true);
  }

  function connect() {
    es = new EventSource(cfg.api + "/stream");
    es.addEventListener("open", function () {
      if (finished) return;
      conn.textContent = L.live || "live"; conn.className = "hipec-conn live";
    });
    es.addEventListener("error", function () {
      if (finished) return;
      conn.textContent = L.reconnecting || "reconnecting…"; conn.className = "hipec-conn";
    });
    es.addEventListener("snapshot", function (e) {
      const s = JSON.parse(e.data);
      alarmsList.textContent = ""; alarms = {};
      stored = s.n_samples;
      reset(s.samples);
      s.alarms.forEach(renderAlarm);
      noAlarms.hidden = alarmsList.children.length > 0;
      if (s.status === "finished") setStatus(s.status);
    });
    es.addEventListener("samples", function (e) { queue(JSON.parse(e.data)); });
    es.addEventListener("alarm", function (e) { renderAlarm(JSON.parse(e.data)); });
    es.addEventListener("ack", function (e) { renderAlarm(JSON.parse(e.data)); });
    es.addEventListener("status", function (e) { setStatus(JSON.parse(e.data).status); });
  }

  const form = document.getElementById("hipec-sim");
  if (form) {
    const err = document.getElementById("hipec-sim-error");
    const start = document.getElementById("hipec-sim-start");
    start.addEventListener("click", function () {
      const body = {speed: Number(form.speed.value)};
      if (form.fault.value) body.fault = form.fault.value;
      err.textContent = ""; start.disabled = true;
      post(cfg.api + "/simulate", body).catch(function (e) { err.textContent = e.message; start.disabled = false; });
    });
    document.getElementById("hipec-sim-stop").addEventListener("click", function () {
      post(cfg.api + "/simulate", undefined, "DELETE").then(function () { start.disabled = false; })
        .catch(function (e) { err.textContent = e.message; });
    });
  }
  connect();
})();
