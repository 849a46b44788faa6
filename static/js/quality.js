/* Data-quality flags beside the cells of the report editor.
 *
 * Reads the draft's flags from the server (the rules and the peers' ranges
 * live there) when the page opens and after every autosave ("sokket:saved"),
 * puts each message under its first cell and outlines the other cells
 * concerned. Warnings and outliers get a one-line explanation, saved on
 * change. Text goes on the page with textContent only.
 */
(function () {
  "use strict";
  const panel = document.getElementById("quality-flags");
  if (!panel) return;
  const url = panel.dataset.url;
  const M = JSON.parse(document.getElementById("quality-messages").textContent);
  const shown = new Map(); // flag key -> element under its first cell

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function cell(anchor) {
    return document.getElementById(anchor);
  }
  function keepToItself(input) {
    // The explanation is not a field of the table: the editor's autosave must
    // not see it (no dirty mark, no save on Enter).
    ["input", "change", "focusout"].forEach(function (type) {
      input.addEventListener(type, function (e) { e.stopPropagation(); });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); input.blur(); }
    });
  }
  function explain(flag, input, status) {
    const body = new URLSearchParams();
    body.append("giai-thich:" + flag.key, input.value);
    status.textContent = M.saving;
    fetch(url, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json", "X-CSRFToken": csrf() },
      credentials: "same-origin",
    }).then(function (r) { return r.json().then(function (d) { return [r, d]; }); })
      .then(function ([r, d]) { status.textContent = r.ok ? M.saved : d.message; })
      .catch(function () { status.textContent = M.notSaved; });
  }
  function build(flag) {
    const box = document.createElement("div");
    box.className = "quality-flag small mt-1 text-start " +
      (flag.blocking ? "text-danger" : "text-warning-emphasis");
    box.dataset.key = flag.key;
    box.setAttribute("role", "alert");
    const icon = document.createElement("i");
    icon.className = "bi me-1 " + (flag.blocking ? "bi-x-octagon" : "bi-exclamation-triangle");
    const text = document.createElement("span");
    text.className = "quality-message";
    box.append(icon, text);
    if (!flag.blocking) {
      const input = document.createElement("input");
      input.className = "form-control form-control-sm mt-1 quality-explain";
      input.maxLength = 300;
      input.placeholder = M.placeholder;
      input.setAttribute("aria-label", M.explain);
      input.value = flag.explanation || "";
      const status = document.createElement("div");
      status.className = "quality-status text-secondary";
      keepToItself(input);
      input.addEventListener("change", function () { explain(flag, input, status); });
      box.append(input, status);
    }
    return box;
  }
  function render(flags) {
    document.querySelectorAll(".quality-cell").forEach(function (td) {
      td.classList.remove("quality-cell", "border", "border-2", "border-danger", "border-warning");
    });
    const keys = new Set(flags.map(function (f) { return f.key; }));
    shown.forEach(function (box, key) {
      if (!keys.has(key)) { box.remove(); shown.delete(key); }
    });
    flags.forEach(function (flag) {
      let cells = flag.cells.map(cell).filter(Boolean);
      if (!cells.length) {
        // A computed Biểu (models) has no input cells: the message goes under it.
        const table = document.getElementById("table-" + flag.table);
        if (!table) return;
        cells = [table];
      }
      cells.forEach(function (td) {
        if (td.tagName !== "TD") return;
        td.classList.add("quality-cell", "border", "border-2",
          flag.blocking ? "border-danger" : "border-warning");
      });
      let box = shown.get(flag.key);
      if (!box) {
        box = build(flag);
        shown.set(flag.key, box);
        cells[0].appendChild(box);
      }
      box.querySelector(".quality-message").textContent = flag.message;
    });
    const blocking = flags.filter(function (f) { return f.blocking; }).length;
    panel.querySelector(".quality-count").textContent = flags.length
      ? M.summary.replace("%(b)s", blocking).replace("%(w)s", flags.length - blocking)
      : "";
    panel.classList.toggle("d-none", !flags.length);
  }
  function refresh() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data.flags); })
      .catch(function () { /* the submit check still has the last word */ });
  }
  document.addEventListener("sokket:saved", refresh);
  refresh();
})();
