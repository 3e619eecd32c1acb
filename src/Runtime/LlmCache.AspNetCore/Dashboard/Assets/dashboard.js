// LlmCache dashboard: polls "stats" (and "ping" less often) relative to this page, keeps the hit-rate
// history in memory, and draws with plain DOM and SVG. Every value from the server is set as text,
// never parsed as HTML.
"use strict";
(() => {
  const HISTORY = 180;          // samples kept for the chart
  const PING_EVERY_MS = 10000;  // ping probes every tier: less often than stats
  const SVG = "http://www.w3.org/2000/svg";

  const state = { history: [], timer: 0, lastPing: 0, ping: null, stats: null, currency: "USD" };
  const $ = id => document.getElementById(id);
  const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

  function el(tag, attrs, ...children) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "width") node.style.width = value;   // CSSOM, which the page's CSP allows (a style attribute it does not)
      else if (name === "onclick") node.addEventListener("click", value);
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function money(value) {
    const digits = value !== 0 && Math.abs(value) < 1 ? 4 : 2;
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: state.currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
    } catch {
      return value.toFixed(digits) + " " + state.currency;
    }
  }

  function ms(value) {
    if (!value) return "—";
    if (value < 1) return (value * 1000).toFixed(value < 0.01 ? 1 : 0) + " µs";
    if (value < 100) return value.toFixed(1) + " ms";
    return integer.format(value) + " ms";
  }

  // "LlmCache.Samples.SupportAgent.AnswerAsync.1a2b3c4d" -> ["SupportAgent.AnswerAsync", "1a2b3c4d"]
  function shortMethod(id) {
    const parts = id.split(".");
    if (parts.length >= 3) {
      const fingerprint = /^[0-9a-f]{6,}$/i.test(parts[parts.length - 1]) ? parts.pop() : "";
      return [parts.slice(-2).join("."), fingerprint];
    }
    return [id, ""];
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  async function poll() {
    clearTimeout(state.timer);
    try {
      const now = Date.now();
      const wantPing = !state.ping || now - state.lastPing >= PING_EVERY_MS;
      const [stats, ping] = await Promise.all([getJson("stats"), wantPing ? getJson("ping") : Promise.resolve(null)]);
      if (ping) { state.ping = ping; state.lastPing = now; }
      state.stats = stats;
      record(stats, now);
      render(stats);
      setLive("live", "live");
      $("updated").textContent = new Date(now).toLocaleTimeString();
      document.body.dataset.loaded = "true";
    } catch (error) {
      setLive("error", "offline");
      $("updated").textContent = String(error.message || error);
    }
    schedule();
  }

  function schedule() {
    const every = Number($("interval").value);
    if (every > 0) state.timer = setTimeout(poll, every);
    else setLive("paused", "paused");
  }

  function setLive(kind, text) {
    $("live").dataset.state = kind;
    $("live").textContent = text;
  }

  function record(stats, now) {
    const t = stats.totals;
    const last = state.history[state.history.length - 1];
    // A restarted application (or a reset) starts a new history.
    if (last && (t.hits < last.hits || t.misses < last.misses)) state.history.length = 0;
    // The rate over the last interval too, when calls happened in it: what the cache does right now.
    const calls = last ? (t.hits - last.hits) + (t.misses - last.misses) : 0;
    const recent = last && calls > 0 ? (t.hits - last.hits) / calls : null;
    state.history.push({ time: now, hits: t.hits, misses: t.misses, rate: stats.hitRate, recent });
    if (state.history.length > HISTORY) state.history.shift();
  }

  function render(stats) {
    state.currency = stats.currency || "USD";
    const t = stats.totals;
    const meter = stats.meter;
    const calls = t.hits + t.misses;
    $("kpi-hit-rate").textContent = calls ? percent.format(stats.hitRate) : "—";
    $("kpi-hit-rate").dataset.value = String(stats.hitRate);
    $("kpi-calls").textContent = integer.format(calls);
    $("kpi-hits").textContent = integer.format(t.hits);
    $("kpi-misses").textContent = integer.format(t.misses);
    $("kpi-stale").textContent = integer.format(t.failSafeServed);
    $("kpi-key-failures").textContent = integer.format(t.keyFailures);
    $("kpi-cost").textContent = money(t.costSaved);
    $("kpi-cost").dataset.value = String(t.costSaved);
    $("kpi-tokens").textContent = integer.format(t.inputTokensSaved + t.outputTokensSaved);
    $("kpi-tokens-in").textContent = integer.format(t.inputTokensSaved);
    $("kpi-tokens-out").textContent = integer.format(t.outputTokensSaved);
    const hitMs = meter.latency.hit.meanMs, missMs = meter.latency.miss.meanMs + meter.latency.method.meanMs;
    $("kpi-hit-ms").textContent = ms(hitMs);
    $("kpi-miss-ms").textContent = ms(missMs);
    $("kpi-speedup").textContent = hitMs > 0 && missMs > 0 ? integer.format(missMs / hitMs) + "× faster" : "—";
    $("kpi-errors").textContent = integer.format(t.errors);
    $("kpi-errors-card").classList.toggle("alert", t.errors > 0);
    $("kpi-pending").textContent = integer.format(stats.pendingRefreshes);

    drawHistory();
    drawLevels(stats);
    drawLatency(meter.latency);
    drawTop(stats.methods);
    drawTiers(stats);
    drawReasons(stats);
    drawMethods(stats);
    drawModels(meter.models);
  }

  function bars(target, rows, format) {
    const max = Math.max(0, ...rows.map(r => r.value));
    const nodes = rows.map(r => el("div", { class: "bar-row", "data-bar": r.key || r.label },
      el("span", { class: "label", title: r.title || r.label, text: r.label }),
      el("span", { class: "track" }, el("span", { class: "fill " + (r.kind || ""), width: (max > 0 ? (100 * r.value / max).toFixed(2) : 0) + "%" })),
      el("span", { class: "figure", text: format(r.value) })));
    target.replaceChildren(...(nodes.length ? nodes : [el("p", { class: "empty-note", text: "Nothing yet." })]));
  }

  function drawLevels(stats) {
    let memory = 0, tiers = 0, semantic = 0;
    for (const m of stats.methods) { memory += m.memoryHits; tiers += m.distributedHits; semantic += m.semanticHits || 0; }
    const tierName = t => t.name.replace(/^\d+:/, "").replace(/CacheTier$|Tier$/, "");
    // The second level answers from a tier, or by joining an identical call already in flight; each
    // tier's own figure is the reads it answered with an entry.
    const perTier = stats.tiers.map(t => ({ key: "tier:" + t.name, label: "\u2003" + tierName(t) + " reads", title: t.name + ": reads answered with an entry", value: t.hits, kind: "tier" }));
    bars($("chart-levels"), [
      { key: "memory", label: "Memory", value: memory, kind: "memory" },
      { key: "second-level", label: "Second level", title: "answered by a tier, or by joining an identical call in flight", value: tiers, kind: "tier" },
      ...perTier,
      { key: "semantic", label: "Semantic", title: "answered by a stored call that means the same", value: semantic, kind: "memory" },
      { key: "misses", label: "Misses (the LLM)", value: stats.totals.misses, kind: "miss" },
    ], v => integer.format(v));
  }

  function drawLatency(latency) {
    bars($("chart-latency"), [
      { key: "hit", label: "Hit", value: latency.hit.meanMs, kind: "good", title: integer.format(latency.hit.count) + " hits" },
      { key: "miss-lookup", label: "Miss: lookup", value: latency.miss.meanMs, kind: "warn", title: integer.format(latency.miss.count) + " misses" },
      { key: "miss-method", label: "Miss: the call", value: latency.method.meanMs, kind: "miss", title: integer.format(latency.method.count) + " method calls" },
    ], ms);
  }

  function drawTop(methods) {
    const top = [...methods].sort((a, b) => b.costSaved - a.costSaved || b.hits - a.hits).slice(0, 5);
    const byCost = top.some(m => m.costSaved > 0);
    // The method's name alone reads best in a narrow card; the type joins it when two methods share a name.
    const names = top.map(m => shortMethod(m.methodId)[0]);
    const label = name => { const method = name.split(".").pop(); return names.filter(n => n.split(".").pop() === method).length > 1 ? name : method; };
    bars($("chart-top"), top.map((m, i) => ({ key: m.methodId, label: label(names[i]), title: m.methodId, value: byCost ? m.costSaved : m.hits, kind: "good" })),
      v => byCost ? money(v) : integer.format(v) + " hits");
  }

  function drawTiers(stats) {
    const list = $("tiers");
    const probes = new Map(((state.ping && state.ping.tiers) || []).map(p => [p.name, p]));
    if (!stats.tiers.length) {
      list.replaceChildren(el("li", {}, el("span", { class: "dot ok" }), el("span", { class: "name", text: "Memory only" }), el("span", { class: "detail", text: "no tiers configured" })));
      return;
    }
    list.replaceChildren(...stats.tiers.map(tier => {
      const probe = probes.get(tier.name);
      const reachable = probe ? probe.reachable : true;
      const level = !reachable ? "bad" : tier.breaker !== "closed" ? "warn" : "ok";
      const detail = integer.format(tier.hits) + " hits · " + (probe ? (reachable ? ms(probe.latencyMs) : "unreachable") + " · " : "") + "breaker " + tier.breaker;
      return el("li", { "data-tier": tier.name, "data-breaker": tier.breaker },
        el("span", { class: "dot " + level, title: level }),
        el("span", { class: "name", text: tier.name.replace(/^\d+:/, "") }),
        el("span", { class: "detail", text: detail }),
        probe && probe.error ? el("span", { class: "error", text: probe.error }) : null);
    }));
  }

  function drawReasons(stats) {
    const skipped = new Map();
    for (const m of stats.methods) for (const [reason, count] of Object.entries(m.skippedStores || {})) skipped.set(reason, (skipped.get(reason) || 0) + count);
    const rows = [
      ...[...skipped].map(([name, count]) => ({ kind: "not stored", name, count })),
      ...stats.meter.errors.map(e => ({ kind: "error", name: e.name, count: e.count })),
      ...stats.meter.tierDrops.map(e => ({ kind: "tier", name: e.name, count: e.count })),
    ].sort((a, b) => b.count - a.count);
    $("reasons").replaceChildren(...(rows.length
      ? rows.map(r => el("li", { "data-reason": r.kind + ":" + r.name }, el("span", {}, el("span", { class: "kind", text: r.kind }), r.name), el("span", { class: "count", text: integer.format(r.count) })))
      : [el("li", { class: "muted" }, "None: every answer was stored, no cache operation failed.")]));
  }

  function drawMethods(stats) {
    const latency = new Map(stats.meter.methods.map(m => [m.methodId, m]));
    const rows = [...stats.methods].sort((a, b) => b.costSaved - a.costSaved || b.hits - a.hits || a.methodId.localeCompare(b.methodId));
    $("methods-count").textContent = rows.length === 1 ? "1 method" : rows.length + " methods";
    $("methods").tBodies[0].replaceChildren(...(rows.length ? rows.map(m => {
      const [name, fingerprint] = shortMethod(m.methodId);
      const l = latency.get(m.methodId);
      const skipped = Object.values(m.skippedStores || {}).reduce((a, b) => a + b, 0);
      return el("tr", { "data-method-id": m.methodId },
        el("td", { class: "method", title: m.methodId }, name, fingerprint ? el("span", { class: "fp", text: " " + fingerprint.slice(0, 8) }) : null),
        el("td", { class: "num", "data-col": "calls", text: integer.format(m.hits + m.misses) }),
        el("td", { "data-col": "hitRate" }, el("div", { class: "rate" }, el("span", { class: "track" }, el("span", { class: "fill", width: (100 * m.hitRate).toFixed(1) + "%" })), el("span", { text: percent.format(m.hitRate) }))),
        el("td", { class: "num", "data-col": "memoryHits", text: integer.format(m.memoryHits) }),
        el("td", { class: "num", "data-col": "distributedHits", text: integer.format(m.distributedHits) }),
        el("td", { class: "num", "data-col": "misses", text: integer.format(m.misses) }),
        el("td", { class: "num", text: l ? ms(l.hit.meanMs) : "—" }),
        el("td", { class: "num", text: l ? ms(l.miss.meanMs + l.method.meanMs) : "—" }),
        el("td", { class: "num", "data-col": "tokensSaved", text: integer.format(m.inputTokensSaved + m.outputTokensSaved) }),
        el("td", { class: "num", "data-col": "costSaved", text: money(m.costSaved) }),
        el("td", { class: "num", title: Object.entries(m.skippedStores || {}).map(([k, v]) => k + ": " + v).join(", "), text: integer.format(skipped) }),
        el("td", {}, el("button", { type: "button", class: "danger small", "data-purge-method": m.methodId, onclick: () => purge("methods", m.methodId, "every entry of " + name) }, "Purge")));
    }) : [el("tr", {}, el("td", { colspan: "12", class: "muted", text: "No cached method has been called yet." }))]));
  }

  function drawModels(models) {
    $("models").tBodies[0].replaceChildren(...(models.length ? models.map(m => el("tr", { "data-model": m.model },
      el("td", { class: "method", title: m.methodId, text: shortMethod(m.methodId)[0] }),
      el("td", { text: m.model }),
      el("td", { class: "num", text: integer.format(m.inputTokensSaved) }),
      el("td", { class: "num", text: integer.format(m.outputTokensSaved) }),
      el("td", { class: "num", text: money(m.costSaved) }))) : [el("tr", {}, el("td", { colspan: "5", class: "muted", text: "No hit has reported token usage yet." }))]));
  }

  function drawHistory() {
    const box = $("chart-hit-rate");
    const width = Math.max(300, box.clientWidth), height = Math.max(120, box.clientHeight);
    const left = 38, right = 8, top = 8, bottom = 20;
    const w = width - left - right, h = height - top - bottom;
    const svg = el("svg:svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none" });
    for (const p of [0, 0.25, 0.5, 0.75, 1]) {
      const y = top + h * (1 - p);
      svg.append(el("svg:line", { class: "grid-line", x1: left, x2: width - right, y1: y, y2: y }));
      svg.append(el("svg:text", { class: "axis", x: left - 6, y: y + 4, "text-anchor": "end", text: percent.format(p) }));
    }
    const points = state.history;
    if (points.length < 2) {
      svg.append(el("svg:text", { class: "empty", x: left + w / 2, y: top + h / 2, "text-anchor": "middle", text: "Collecting samples…" }));
    } else {
      const t0 = points[0].time, span = Math.max(1, points[points.length - 1].time - t0);
      const x = p => left + w * (p.time - t0) / span, y = p => top + h * (1 - p.rate);
      const line = points.map((p, i) => (i ? "L" : "M") + x(p).toFixed(1) + "," + y(p).toFixed(1)).join("");
      svg.append(el("svg:path", { class: "area", d: line + `L${x(points[points.length - 1]).toFixed(1)},${top + h}L${left},${top + h}Z` }));
      svg.append(el("svg:path", { class: "line", d: line }));
      const recent = points.filter(p => p.recent !== null);
      for (const p of recent) svg.append(el("svg:circle", { class: "recent", cx: x(p).toFixed(1), cy: (top + h * (1 - p.recent)).toFixed(1), r: 2.5 }));
      const lastPoint = points[points.length - 1];
      svg.append(el("svg:circle", { class: "dot", cx: x(lastPoint), cy: y(lastPoint), r: 3.5 }));
      svg.append(el("svg:text", { class: "axis", x: left, y: height - 4, text: new Date(t0).toLocaleTimeString() }));
      svg.append(el("svg:text", { class: "axis", x: width - right, y: height - 4, "text-anchor": "end", text: new Date(lastPoint.time).toLocaleTimeString() }));
      $("history-span").textContent = "last " + Math.round(span / 1000) + " s";
    }
    box.replaceChildren(svg);
  }

  async function purge(kind, value, what) {
    if (!value) return;
    if (!window.confirm("Purge " + what + "?\n\nThe entries are removed from every level and every process sharing the tiers; the next calls go to the LLM.")) return;
    const result = $("purge-result");
    result.className = "result";
    result.textContent = "Purging…";
    try {
      const response = await fetch(kind + "/" + encodeURIComponent(value), { method: "DELETE", credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      result.className = "result ok";
      result.textContent = "Purged " + what + (body.complete ? "." : " (a tier will get the removal when it answers again).");
    } catch (error) {
      result.className = "result bad";
      result.textContent = "Could not purge " + what + ": " + (error.message || error);
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("purge-tag").addEventListener("submit", event => {
      event.preventDefault();
      const tag = $("purge-tag-input").value.trim();
      purge("tags", tag, "every entry tagged \u201c" + tag + "\u201d");
    });
    $("interval").addEventListener("change", poll);
    window.addEventListener("resize", () => { if (state.stats) drawHistory(); });
    poll();
  });
})();
