// HIPEC live page: one Plotly trace per probe, the target band shaded, fed by the procedure's
// server-sent-event stream (snapshot, then samples / alarm / ack / status events).
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
  const MAX_POINTS = 20000; // per trace kept in the browser
  let traceOf = {}, lastT = -Infinity, points = 0, pending = null;

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
      traces.push({name: name, mode: "lines", type: "scatter", connectgaps: false,
                   x: t.map(function (s) { return s / 60; }), y: columns.probes[name]});
    });
    if (t.length) { lastT = t[t.length - 1]; points = t.length; }
    Plotly.react(chart, traces, layout(), {responsive: true, displaylogo: false});
    show();
  }

  function show() {
    chart.dataset.points = String(points);
    if (isFinite(lastT)) {
      const m = Math.floor(lastT / 60), s = Math.floor(lastT % 60);
      clock.textContent = "t = " + m + ":" + String(s).padStart(2, "0") + " · " + points + " " + (L.samples || "samples");
    }
  }

  function queue(columns) {
    const keep = [];
    columns.t_s.forEach(function (t, i) { if (t > lastT) keep.push(i); });
    if (!keep.length) return;
    lastT = columns.t_s[keep[keep.length - 1]];
    points += keep.length;
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
        Plotly.addTraces(chart, {name: name, mode: "lines", type: "scatter", x: [], y: []});
      }
      xs.push(batch[name].x); ys.push(batch[name].y); idx.push(traceOf[name]);
    });
    Plotly.extendTraces(chart, {x: xs, y: ys}, idx, MAX_POINTS);
    show();
  }

  function fmtT(t) {
    const m = Math.floor(t / 60), s = (t % 60).toFixed(0);
    return m + ":" + s.padStart(2, "0");
  }

  function renderAlarm(a) {
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

  function connect() {
    const es = new EventSource(cfg.api + "/stream");
    es.addEventListener("open", function () { conn.textContent = L.live || "live"; });
    es.addEventListener("error", function () { conn.textContent = L.reconnecting || "reconnecting…"; });
    es.addEventListener("snapshot", function (e) {
      const s = JSON.parse(e.data);
      alarmsList.textContent = "";
      reset(s.samples);
      s.alarms.forEach(renderAlarm);
      noAlarms.hidden = alarmsList.children.length > 0;
    });
    es.addEventListener("samples", function (e) { queue(JSON.parse(e.data)); });
    es.addEventListener("alarm", function (e) { renderAlarm(JSON.parse(e.data)); });
    es.addEventListener("ack", function (e) { renderAlarm(JSON.parse(e.data)); });
    es.addEventListener("status", function (e) {
      document.querySelector("[data-testid=hipec-status]").textContent = label("status", JSON.parse(e.data).status);
    });
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
