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
    if (D.explained) card(s.principals_total, "principals");
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
    const ul = el("ul", { id: "codes" });
    for (const [c, n] of rows) {
      const [code, name, url] = D.codes[c];
      const link = url ? el("a", { href: url, rel: "noreferrer" }, code) : code;
      const pick = el("a", { href: "#findings-section", "data-code": String(c), text: name });
      pick.addEventListener("click", () => { byCode.value = String(c); update(); });
      ul.append(el("li", {}, el("b", { text: String(n) }), " ", link, " ", pick));
    }
    box.append(el("h2", { text: "Findings by code" }), ul);
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
      el("td", { class: "who", title: f[F.who].map((i) => D.principals[i]).join("\n"), text: f[F.who].map((i) => D.principal_names[i]).join(", ") }));
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

  // -- principals ---------------------------------------------------------------------------
  function principals() {
    const box = document.getElementById("principals-section");
    const P = D.principal_view;
    box.append(el("h2", { text: "Principals" }));
    if (!D.explained) { box.append(el("p", { text: "Not available: the input was read from stdin." })); return; }
    if (!P.length) { box.append(el("p", { text: "No principal (role, user, group or permission set) found." })); return; }
    const open = P.filter((p) => p.escalation_paths.length).length;
    const admins = P.filter((p) => p.administrator).length;
    box.append(el("p", { text: P.length + " principals; " + admins + " administrators; " + open + " with an escalation path. Effective permissions: identity policies, minus Deny statements, within the permissions boundary (docs/explain.md)." }));
    const form = el("form", { class: "filters", autocomplete: "off" });
    const name = el("input", { type: "search", id: "principal-name", placeholder: "part of a name or file" });
    const only = el("select", { id: "principal-only" }, el("option", { value: "", text: "all" }), el("option", { value: "paths", text: "with escalation paths" }), el("option", { value: "admin", text: "administrators" }));
    form.append(el("label", {}, "principal", name), el("label", {}, "show", only));
    form.addEventListener("submit", (e) => e.preventDefault());
    const list = el("div", { id: "principal-list" });
    const moreP = el("button", { type: "button", id: "principal-more" });
    box.append(form, list, el("p", { class: "more-wrap" }, moreP));
    let rows = [], done = 0;
    function drawP(n) {
      const frag = document.createDocumentFragment();
      const stop = Math.min(rows.length, done + n);
      for (; done < stop; done++) frag.append(card(rows[done]));
      list.append(frag);
      moreP.hidden = done >= rows.length;
      moreP.textContent = "Show more (" + (rows.length - done) + " not shown)";
    }
    function updateP() {
      const q = name.value.toLowerCase(), o = only.value;
      rows = P.filter((p) => (!q || p.key.toLowerCase().includes(q)) && (o !== "paths" || p.escalation_paths.length) && (o !== "admin" || p.administrator));
      done = 0;
      list.replaceChildren();
      drawP(50);
    }
    let t = 0;
    name.addEventListener("input", () => { clearTimeout(t); t = setTimeout(updateP, 120); });
    only.addEventListener("change", updateP);
    moreP.addEventListener("click", () => drawP(50));
    updateP();
  }

  function card(p) {
    const tag = p.administrator ? "administrator" : p.escalation_paths.length ? p.escalation_paths.length + " escalation path" + (p.escalation_paths.length === 1 ? "" : "s") : "";
    const head = el("summary", {}, el("b", { text: p.principal }), " " + p.kind + " ", el("span", { class: "owner", text: p.file + ":" + p.line }));
    if (tag) head.append(" ", el("span", { class: "tag", text: tag }));
    const d = el("details", { class: "principal" }, head);
    d.addEventListener("toggle", () => { if (d.open && d.children.length === 1) d.append(body(p)); }, { once: false });
    return d;
  }

  function list(title, items) {
    const ul = el("ul");
    for (const i of items) ul.append(el("li", {}, i));
    return [el("h4", { text: title }), items.length ? ul : el("p", { text: "none" })];
  }

  function body(p) {
    const b = el("div", { class: "principal-body" });
    if (D.principals.includes(p.key)) {
      const go = el("a", { href: "#findings-section", text: "Show its findings" });
      go.addEventListener("click", () => { byWho.value = String(D.principals.indexOf(p.key)); update(); });
      b.append(el("p", {}, go));
    }
    b.append(...list("Policies", p.policies.map(([what, layer, via]) => what + (layer === "identity" ? "" : layer === "group" ? " (via group " + via + ")" : " (" + layer + ")"))));
    if (p.trusted_by.length) b.append(...list("Can be assumed by", p.trusted_by));
    if (p.unknown.length) b.append(...list("Unknown", p.unknown));
    b.append(...list("Escalation paths", p.escalation_paths.map((e) => {
      const li = el("span", {}, el("b", { text: e.path }), (e.verdict === "allowed" ? "" : " (only under conditions)") + ": " + e.how);
      for (const [action, where] of e.steps) li.append(el("div", { class: "related", text: action + ": " + where }));
      return li;
    })));
    b.append(el("h4", { text: "Effective permissions" }));
    if (p.administrator) { b.append(el("p", { text: "Every action on every resource (an administrator)." })); return b; }
    if (!p.permissions.length) { b.append(el("p", { text: "none" })); return b; }
    const tb = el("tbody");
    for (const [service, level, n, actions, verdict, resource, granted, conditions, against] of p.permissions) {
      const what = actions.join(", ") + (n > actions.length ? " and " + (n - actions.length) + " more" : "");
      const why = [...granted.map((g) => "granted by " + g), ...conditions.map((c) => "if " + c), ...against.map((a) => "capped or denied by " + a)];
      tb.append(el("tr", {}, el("td", { class: "code", text: service }), el("td", { text: level }), el("td", { class: "n", text: String(n) }), el("td", { text: what }),
        el("td", { class: "verdict " + verdict, text: verdict }), el("td", { class: "code", text: resource }), el("td", { class: "related", text: why.join("; ") })));
    }
    b.append(el("table", { class: "perms" }, el("thead", {}, el("tr", {}, ...["service", "access level", "actions", "which", "answer", "resource", "why"].map((h) => el("th", { text: h })))), tb));
    return b;
  }

  // -- attachment graph ---------------------------------------------------------------------
  // A small layered layout: who may assume a principal | users, roles, permission sets |
  // groups | policies; each layer ordered by the mean position of its neighbours in the
  // layers before it (one barycentre sweep), edges drawn as curves left to right.
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_NODES = 300;
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function graph() {
    const box = document.getElementById("graph-section");
    box.append(el("h2", { text: "Attachment graph" }));
    const P = D.principal_view;
    if (!P.length) { box.append(el("p", { text: D.explained ? "No principal found." : "Not available: the input was read from stdin." })); return; }
    const groups = new Map();
    for (const p of P) { if (!groups.has(p.where)) groups.set(p.where, []); groups.get(p.where).push(p); }
    const names = [...groups.keys()].sort((a, b) => groups.get(b).length - groups.get(a).length || (a < b ? -1 : 1));
    const pick = el("select", { id: "graph-template" });
    for (const n of names) pick.append(el("option", { value: n, text: n + " (" + groups.get(n).length + ")" }));
    const form = el("form", { class: "filters" }, el("label", {}, "template or module", pick));
    form.addEventListener("submit", (e) => e.preventDefault());
    const holder = el("div", { id: "graph" });
    box.append(el("p", { text: "Who may assume each principal (trust policy), the principals, their groups and the policies attached to them, for one template or Terraform module at a time." }), form, holder);
    const draw = () => holder.replaceChildren(layout(groups.get(pick.value)));
    pick.addEventListener("change", draw);
    draw();
  }

  function layout(ps) {
    const layers = [[], [], [], []], nodes = new Map(), edges = [];
    const node = (id, layer, label, cls) => {
      if (!nodes.has(id)) { const n = { id, layer, label, cls, nb: [] }; nodes.set(id, n); layers[layer].push(n); }
      return nodes.get(id);
    };
    const edge = (a, b, cls) => { edges.push([a, b, cls]); b.nb.push(a); };
    const groupOf = new Map(ps.filter((p) => p.kind === "group").map((p) => [p.principal, p]));
    for (const p of ps) {
      const me = node("p:" + p.principal, p.kind === "group" ? 2 : 1, p.kind + " " + p.principal, "principal " + (p.administrator ? "admin" : p.escalation_paths.length ? "escalates" : ""));
      for (const t of p.trusted_by) edge(node("t:" + t, 0, t, "trusted"), me, "trust");
      for (const [label, layer, via] of p.policies) {
        if (layer === "group" && groupOf.has(via)) { edge(me, node("p:" + via, 2, "group " + via, "principal"), "member"); continue; }
        edge(me, node("d:" + label, 3, label, layer === "boundary" ? "policy boundary" : "policy"), layer === "boundary" ? "boundary" : "attached");
      }
    }
    const W = 250, GAP = 70, H = 26, VGAP = 10;
    const used = layers.filter((l) => l.length);
    let hidden = 0;
    used.forEach((l, i) => {
      if (i) {
        for (const n of l) n.key = n.nb.length ? n.nb.reduce((s, m) => s + (m.y || 0), 0) / n.nb.length : 1e9;
        l.sort((a, b) => a.key - b.key);
      }
      if (l.length > MAX_NODES) { hidden += l.length - MAX_NODES; l.length = MAX_NODES; }
      l.forEach((n, k) => { n.x = 10 + i * (W + GAP); n.y = 10 + k * (H + VGAP); n.shown = true; });
    });
    const height = 20 + Math.max(...used.map((l) => l.length)) * (H + VGAP);
    const width = 20 + used.length * (W + GAP) - GAP;
    const root = svg("svg", { xmlns: SVG, width: String(width), height: String(height), viewBox: "0 0 " + width + " " + height, role: "img" });
    root.append(svg("title", {}, "Attachment graph"));
    for (const [a, b, cls] of edges) {
      if (!a.shown || !b.shown) continue;
      const [x1, y1, x2, y2] = a.x < b.x ? [a.x + W, a.y + H / 2, b.x, b.y + H / 2] : [b.x + W, b.y + H / 2, a.x, a.y + H / 2];
      const mx = (x1 + x2) / 2;
      root.append(svg("path", { class: "edge " + cls, d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2 }));
    }
    for (const n of nodes.values()) {
      if (!n.shown) continue;
      const g = svg("g", { class: "node " + n.cls, transform: "translate(" + n.x + "," + n.y + ")" });
      g.append(svg("title", {}, n.label), svg("rect", { width: String(W), height: String(H), rx: "4" }),
        svg("text", { x: "8", y: "17" }, n.label.length > 38 ? n.label.slice(0, 37) + "\u2026" : n.label));
      root.append(g);
    }
    const wrap = el("div", { class: "graph-wrap" }, root);
    if (hidden) wrap.prepend(el("p", { text: hidden + " more nodes not drawn." }));
    return wrap;
  }

  summary();
  update();
  principals();
  graph();
  performance.mark("iamlint-rows");
  document.documentElement.dataset.ready = "1";
})();
