"use strict";
// iamlint's HTML report: renders the JSON blob #iamlint-data into the page. Every value
// from the input goes into the DOM as text (textContent, never innerHTML).
(function () {
  const D = JSON.parse(document.getElementById("iamlint-data").textContent);
  const PAGE = 200;
  const SEV = D.severities;
  const F = { sev: 0, code: 1, file: 2, line: 3, col: 4, msg: 5, owner: 6, who: 7, frame: 8, related: 9 };

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }

  // -- summary ------------------------------------------------------------------------------
  function summary() {
    document.getElementById("tool").textContent = D.tool.name + " " + D.tool.version;
    const s = D.summary;
    const box = document.getElementById("summary");
    const cards = el("div", { class: "cards" });
    const card = (n, what, cls) => cards.append(el("div", { class: "card " + (cls || "") }, el("b", { text: String(n) }), el("span", { text: what })));
    card(s.files, "files");
    card(s.documents, "policy documents");
    card(s.principals, "principals with findings");
    for (const v of SEV) card(s.findings[v], v + (s.findings[v] === 1 ? "" : "s"), v);
    if (s.input_errors) card(s.input_errors, "input problems", "error");
    if (s.suppressed) card(s.suppressed, "suppressed");
    if (s.baselined) card(s.baselined, "in baseline");
    box.append(cards);
    const counts = new Map();
    for (const f of D.findings) counts.set(f[F.code], (counts.get(f[F.code]) || 0) + 1);
    const rows = [...counts.entries()].sort((a, b) => b[1] - a[1] || (D.codes[a[0]][0] < D.codes[b[0]][0] ? -1 : 1));
    if (!rows.length) { box.append(el("p", { text: "No findings." })); return; }
    const tbody = el("tbody");
    for (const [c, n] of rows) {
      const [code, name, url] = D.codes[c];
      const link = url ? el("a", { href: url, rel: "noreferrer" }, code) : code;
      const pick = el("a", { href: "#findings-section", "data-code": String(c), text: name });
      pick.addEventListener("click", () => { byCode.value = String(c); update(); });
      tbody.append(el("tr", {}, el("td", { class: "n", text: String(n) }), el("td", {}, link), el("td", {}, pick)));
    }
    box.append(el("h2", { text: "Findings by code" }),
      el("table", { id: "codes" }, el("thead", {}, el("tr", {}, el("th", { text: "count" }), el("th", { text: "code" }), el("th", { text: "rule" }))), tbody));
    if (D.errors.length) box.append(el("h2", { text: "Errors" }), el("pre", { text: D.errors.join("\n") }));
  }

  // -- filters ------------------------------------------------------------------------------
  const form = document.getElementById("filters");
  function select(label, name, options) {
    const s = el("select", { name: name, id: "filter-" + name }, el("option", { value: "", text: "all" }));
    for (const [v, t] of options) s.append(el("option", { value: String(v), text: t }));
    form.append(el("label", {}, label, s));
    return s;
  }
  const bySev = select("severity", "severity", SEV.map((v, i) => [i, v]));
  const byCode = select("code", "code", D.codes.map((c, i) => [i, c[0] + " " + c[1]]).sort((a, b) => (a[1] < b[1] ? -1 : 1)));
  const byWho = select("principal", "principal", [["-1", "(no principal)"], ...D.principals.map((p, i) => [i, p]).sort((a, b) => (a[1] < b[1] ? -1 : 1))]);
  const byFile = el("input", { type: "search", name: "file", id: "filter-file", placeholder: "part of a path" });
  const byText = el("input", { type: "search", name: "text", id: "filter-text", placeholder: "message, owner" });
  form.append(el("label", {}, "file", byFile), el("label", {}, "text", byText));
  form.addEventListener("submit", (e) => e.preventDefault());

  // -- table --------------------------------------------------------------------------------
  const table = document.getElementById("findings");
  const tbody = table.tBodies[0];
  const more = document.getElementById("more");
  const count = document.getElementById("count");
  const COLS = [["sev", "severity"], ["code", "code"], ["loc", "location"], ["msg", "message"], ["who", "principal"]];
  const sortKeys = {
    sev: (f) => f[F.sev],
    code: (f) => D.codes[f[F.code]][0],
    loc: (f) => D.files[f[F.file]],
    msg: (f) => f[F.msg],
    who: (f) => (f[F.who].length ? D.principals[f[F.who][0]] : "\uffff"),
  };
  let sort = null, desc = false, shown = [], drawn = 0;
  const head = el("tr");
  for (const [key, label] of COLS) {
    const th = el("th", { "data-key": key, scope: "col", text: label });
    th.addEventListener("click", () => { desc = sort === key ? !desc : false; sort = key; update(); });
    head.append(th);
  }
  table.tHead.append(head);

  function filtered() {
    const sv = bySev.value, cv = byCode.value, wv = byWho.value;
    const fv = byFile.value.toLowerCase(), tv = byText.value.toLowerCase();
    const out = [];
    for (const f of D.findings) {
      if (sv !== "" && f[F.sev] !== +sv) continue;
      if (cv !== "" && f[F.code] !== +cv) continue;
      if (wv !== "" && (wv === "-1" ? f[F.who].length !== 0 : !f[F.who].includes(+wv))) continue;
      if (fv && !D.files[f[F.file]].toLowerCase().includes(fv)) continue;
      if (tv && !(f[F.msg].toLowerCase().includes(tv) || f[F.owner].toLowerCase().includes(tv))) continue;
      out.push(f);
    }
    if (sort) {
      const k = sortKeys[sort];
      const byLoc = (a, b) => a[F.file] - b[F.file] || a[F.line] - b[F.line] || a[F.col] - b[F.col];
      out.sort((a, b) => {
        const x = k(a), y = k(b);
        const c = x < y ? -1 : x > y ? 1 : 0;
        return (desc ? -c : c) || byLoc(a, b);
      });
    }
    return out;
  }

  function row(f) {
    const sev = SEV[f[F.sev]];
    const [code, name] = D.codes[f[F.code]];
    const msg = el("td", { class: "msg" }, f[F.msg]);
    if (f[F.owner]) msg.append(" ", el("span", { class: "owner", text: "[" + f[F.owner] + "]" }));
    const tr = el("tr", { class: "row", tabindex: "0", "aria-expanded": "false" },
      el("td", { class: "sev " + sev, text: sev }),
      el("td", { class: "code", title: name, text: code }),
      el("td", { class: "loc", title: D.files[f[F.file]], text: D.files[f[F.file]] + ":" + f[F.line] + ":" + f[F.col] }),
      msg,
      el("td", { class: "who", text: f[F.who].map((i) => D.principals[i]).join(", ") }));
    const toggle = () => {
      const open = tr.nextSibling && tr.nextSibling.classList && tr.nextSibling.classList.contains("frame");
      if (open) { tr.nextSibling.remove(); tr.setAttribute("aria-expanded", "false"); return; }
      const cell = el("td", { colspan: String(COLS.length) });
      cell.append(el("div", { text: name }));
      if (f[F.frame]) cell.append(el("pre", { text: f[F.frame] }));
      for (const [file, line, col, what] of f[F.related]) cell.append(el("div", { class: "related", text: "related: " + file + ":" + line + ":" + col + ": " + what }));
      tr.after(el("tr", { class: "frame" }, cell));
      tr.setAttribute("aria-expanded", "true");
    };
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    return tr;
  }

  function draw(n) {
    const frag = document.createDocumentFragment();
    const stop = Math.min(shown.length, drawn + n);
    for (; drawn < stop; drawn++) frag.append(row(shown[drawn]));
    tbody.append(frag);
    const left = shown.length - drawn;
    more.hidden = left <= 0;
    more.textContent = "Show " + Math.min(PAGE, left) + " more (" + left + " not shown)";
    count.textContent = "Showing " + drawn + " of " + shown.length + " findings" + (shown.length !== D.findings.length ? " (filtered from " + D.findings.length + ")" : "") + ".";
  }

  function update() {
    for (const th of head.children) {
      if (th.dataset.key === sort) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    shown = filtered();
    drawn = 0;
    tbody.replaceChildren();
    draw(PAGE);
  }

  let timer = 0;
  const later = () => { clearTimeout(timer); timer = setTimeout(update, 120); };
  for (const s of [bySev, byCode, byWho]) s.addEventListener("change", update);
  for (const i of [byFile, byText]) i.addEventListener("input", later);
  more.addEventListener("click", () => draw(PAGE));
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && !more.hidden) draw(PAGE); }).observe(more);
  }

  summary();
  update();
  performance.mark("iamlint-rows");
  document.documentElement.dataset.ready = "1";
})();
