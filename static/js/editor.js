/* Report editor: autosave per part, local copies, conflicts, values kept.
 *
 * Every <form class="part"> is saved on its own (a section, a table or the
 * header). The server parses every figure and computes every percentage: this
 * script has no number logic, it shows what autosave answers (normalised
 * values, percentages, refused values with their messages). User text is only
 * ever put on the page with textContent / value, never innerHTML.
 */
(function () {
  "use strict";
  const root = document.getElementById("editor");
  if (!root) return;
  const M = JSON.parse(document.getElementById("editor-messages").textContent);
  // Values typed and refused, kept on the server: {part: {input: {value, message}}}.
  const REFUSED = JSON.parse(document.getElementById("refused-values").textContent);
  const reportId = root.dataset.report;
  const url = root.dataset.autosaveUrl;
  const statusEl = document.getElementById("save-status");
  const sessionAlert = document.getElementById("session-alert");
  const DELAY = 2500;
  const forms = Array.from(document.querySelectorAll("form.part"));
  const state = new Map();

  function storageKey(form) {
    return "sokket:report:" + reportId + ":" + form.dataset.part;
  }
  function cookie(name) {
    const m = document.cookie.match("(?:^|; )" + name + "=([^;]*)");
    return m ? decodeURIComponent(m[1]) : "";
  }
  function fieldsOf(form) {
    const out = [];
    for (const [name, value] of new FormData(form).entries()) {
      if (name === "csrfmiddlewaretoken" || name === "part" || name === "base_revision") continue;
      out.push([name, String(value)]);
    }
    return out;
  }
  function base(form) {
    return form.elements["base_revision"];
  }
  function st(form) {
    if (!state.has(form)) {
      state.set(form, { seq: 0, timer: null, busy: false, queued: false, dirty: false });
    }
    return state.get(form);
  }

  /* --- local copies ------------------------------------------------------- */
  function keepLocal(form) {
    try {
      localStorage.setItem(storageKey(form), JSON.stringify({
        at: Date.now(), base: Number(base(form).value), fields: fieldsOf(form),
      }));
    } catch (e) { /* storage full or blocked: the server copy still saves */ }
  }
  function dropLocal(form) {
    try { localStorage.removeItem(storageKey(form)); } catch (e) { /* ignore */ }
  }
  function readLocal(form) {
    try { return JSON.parse(localStorage.getItem(storageKey(form)) || "null"); } catch (e) { return null; }
  }

  /* --- putting values into a form ----------------------------------------- */
  function docList(form, cellName) {
    return form.querySelector('.docs[data-name="' + CSS.escape(cellName) + '"]');
  }
  function addDocRow(docs) {
    const tpl = document.getElementById("tpl-doc-row");
    const row = tpl.content.firstElementChild.cloneNode(true);
    docs.querySelector(".doc-list").appendChild(row);
    renumber(docs);
    return row;
  }
  function renumber(docs) {
    const name = docs.dataset.name;
    docs.querySelectorAll(".doc-row").forEach(function (row, i) {
      row.querySelectorAll("[data-field]").forEach(function (input) {
        input.name = name + ".d." + i + "." + input.dataset.field;
      });
    });
  }
  function applyFields(form, fields) {
    const map = new Map(fields);
    // Documents: make as many rows as the copy has, then fill them.
    form.querySelectorAll(".docs").forEach(function (docs) {
      const prefix = docs.dataset.name + ".d.";
      let count = 0;
      for (const name of map.keys()) {
        if (name.startsWith(prefix)) count = Math.max(count, Number(name.slice(prefix.length).split(".")[0]) + 1);
      }
      const rows = docs.querySelectorAll(".doc-row");
      for (let i = rows.length; i < count; i++) addDocRow(docs);
      Array.from(docs.querySelectorAll(".doc-row")).slice(count).forEach(function (r) { r.remove(); });
      renumber(docs);
    });
    for (const el of form.elements) {
      if (!el.name || el.name === "part" || el.name === "base_revision" || el.name === "csrfmiddlewaretoken") continue;
      if (el.type === "checkbox") {
        const v = map.get(el.name);
        el.checked = v === true || v === "1" || v === "on" || v === "true";
      } else if (el.tagName !== "OUTPUT" && el.type !== "hidden") {
        const v = map.get(el.name);
        el.value = v === undefined || v === null ? "" : String(v);
      }
    }
    form.querySelectorAll(".no-data").forEach(syncNote);
  }
  // A value the server refused and kept: back into its input, with its message.
  function showRefused(form, refused) {
    Object.entries(refused || {}).forEach(function ([name, entry]) {
      const el = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (el && el.tagName !== "OUTPUT") {
        el.value = entry.value;
        showError(form, name, entry.message);
      } else {
        showError(form, name, entry.message + " (" + entry.value + ")");
      }
    });
  }
  function showValues(form, values, computed, fresh) {
    // A normalised number goes back only into an input not being typed in.
    Object.entries(values || {}).forEach(function ([name, value]) {
      const el = form.querySelector('input[name="' + CSS.escape(name) + '"]');
      if (fresh && el && el !== document.activeElement) el.value = value;
    });
    Object.entries(computed || {}).forEach(function ([name, value]) {
      const out = form.querySelector('output[name="' + CSS.escape(name) + '"]');
      if (out) out.textContent = value;
    });
  }

  /* --- status, errors, badges --------------------------------------------- */
  function setStatus(text, cls) {
    statusEl.textContent = text;
    statusEl.className = "small " + (cls || "text-secondary");
  }
  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (e) { e.classList.remove("is-invalid"); });
  }
  function showError(form, name, message) {
    const el = form.querySelector('[name="' + CSS.escape(name) + '"]');
    const div = document.createElement("div");
    div.className = "invalid-feedback d-block field-error";
    div.dataset.for = name;
    div.textContent = message;
    if (el) {
      el.classList.add("is-invalid");
      el.insertAdjacentElement("afterend", div);
    } else {
      form.querySelector(".part-alerts").appendChild(div);
    }
  }
  function badge(form) {
    const complete = form.dataset.complete === "1";
    const optional = form.dataset.required === "0";
    let text = M.incomplete, cls = "text-bg-warning";
    if (complete) { text = M.complete; cls = "text-bg-success"; }
    else if (optional) { text = M.optional; cls = "text-bg-light border"; }
    document.querySelectorAll('[data-badge-for="' + CSS.escape(form.dataset.part) + '"]').forEach(function (b) {
      b.textContent = text;
      b.className = b.className.replace(/text-bg-\S+|border/g, "").trim() + " " + cls;
    });
  }
  function alertBox(form, kind) {
    const box = form.querySelector(".part-alerts");
    box.querySelectorAll('[data-kind="' + kind + '"]').forEach(function (e) { e.remove(); });
    const div = document.createElement("div");
    div.className = "alert alert-warning mt-2 mb-0 small";
    div.dataset.kind = kind;
    div.setAttribute("role", "alert");
    box.appendChild(div);
    return div;
  }
  function button(label, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm me-2 " + cls;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  function labelFor(form, name) {
    const el = form.querySelector('[name="' + CSS.escape(name) + '"]');
    if (el && el.getAttribute("aria-label")) return el.getAttribute("aria-label");
    if (el && el.id) {
      const l = form.querySelector('label[for="' + CSS.escape(el.id) + '"]');
      if (l) return l.textContent.trim();
    }
    return name;
  }
  function copyBlock(form, title, fields) {
    const wrap = document.createElement("div");
    wrap.className = "copy-block border rounded bg-body p-2 my-2";
    const h = document.createElement("div");
    h.className = "fw-semibold";
    h.textContent = title;
    wrap.appendChild(h);
    fields.forEach(function ([name, value]) {
      if (value === "" || value === false || value === null) return;
      if (name.endsWith(".docs")) return;
      const row = document.createElement("div");
      row.className = "copy-field";
      const k = document.createElement("span");
      k.className = "text-secondary";
      k.textContent = labelFor(form, name) + ": ";
      const v = document.createElement("span");
      v.className = "copy-value";
      v.style.whiteSpace = "pre-wrap";
      v.textContent = value === true ? M.yes : String(value);
      row.append(k, v);
      wrap.appendChild(row);
    });
    return wrap;
  }

  /* --- saving ------------------------------------------------------------- */
  function markDirty(form) {
    const s = st(form);
    s.seq += 1;
    s.dirty = true;
    keepLocal(form);
    setStatus(M.unsaved);
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { save(form); }, DELAY);
  }
  function body(form) {
    const data = new FormData(form);
    data.set("csrfmiddlewaretoken", cookie("csrftoken") || data.get("csrfmiddlewaretoken"));
    data.set("_json", "1");
    return data;
  }
  function sessionProblem(message) {
    sessionAlert.querySelector(".msg").textContent = message;
    sessionAlert.classList.remove("d-none");
    setStatus(M.notSaved, "text-danger fw-semibold");
  }
  // One save at a time for the whole page: parts save in order, each with the
  // revision the previous save returned.
  let queue = Promise.resolve();
  function save(form, opts) {
    const s = st(form);
    clearTimeout(s.timer);
    s.timer = null;
    if (s.queued) return queue;
    s.queued = true;
    queue = queue.then(function () {
      s.queued = false;
      return send(form, opts);
    }).catch(function () { sessionProblem(M.serverError); });
    return queue;
  }
  async function send(form, opts) {
    const s = st(form);
    s.busy = true;
    const seq = s.seq;
    setStatus(M.saving);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: body(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
        keepalive: !!(opts && opts.keepalive),
      });
    } catch (e) {
      s.busy = false;
      sessionProblem(M.offline);
      return;
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    s.busy = false;
    if (response.status === 200 && data && data.ok) {
      sessionAlert.classList.add("d-none");
      base(form).value = data.revision;
      clearErrors(form);
      const errors = Object.entries(data.errors || {});
      errors.forEach(function ([name, message]) { showError(form, name, message); });
      showValues(form, data.values, data.computed, seq === s.seq);
      form.dataset.complete = data.complete ? "1" : "0";
      badge(form);
      form.dispatchEvent(new CustomEvent("sokket:saved", { bubbles: true }));
      if (errors.length) {
        setStatus(M.savedWithErrors.replace("%s", data.saved_at), "text-danger");
      } else {
        setStatus(data.message, "text-success");
      }
      // Refused values are kept on the server too: nothing left only here.
      if (seq === s.seq) {
        s.dirty = false;
        dropLocal(form);
      }
    } else if (response.status === 409 && data && data.conflict) {
      showConflict(form, data);
    } else if (response.status === 409 && data && data.locked) {
      sessionProblem(data.message);
    } else if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect" || response.status === 0) {
      sessionProblem((data && data.message) || M.sessionExpired);
    } else {
      sessionProblem((data && data.message) || M.serverError);
    }
  }
  function showConflict(form, data) {
    const mine = fieldsOf(form);
    const server = Object.entries(data.server || {});
    const box = alertBox(form, "conflict");
    const p = document.createElement("p");
    p.className = "mb-1 conflict-message";
    p.textContent = data.message;
    box.appendChild(p);
    box.appendChild(copyBlock(form, M.serverCopy, server));
    box.appendChild(copyBlock(form, M.myCopy, mine));
    box.appendChild(button(M.keepMine, "btn-primary", function () {
      base(form).value = data.revision;
      box.remove();
      save(form);
    }));
    box.appendChild(button(M.takeServer, "btn-outline-secondary", function () {
      applyFields(form, server);
      base(form).value = data.revision;
      st(form).dirty = false;
      dropLocal(form);
      box.querySelectorAll("button").forEach(function (b) { b.remove(); });
      p.textContent = M.tookServer;
    }));
    setStatus(M.conflict, "text-danger fw-semibold");
  }
  // Parts typed in this tab and not yet saved (another tab's local copies are
  // that tab's business).
  function saveAll(opts) {
    forms.forEach(function (form) {
      if (st(form).dirty) save(form, opts);
    });
  }

  /* --- "no data" boxes ---------------------------------------------------- */
  function syncNote(box) {
    const cell = box.closest("td");
    const note = cell && cell.querySelector(".no-data-note");
    if (note) note.hidden = !box.checked;
    // The value typed before stays (nothing typed is dropped) but is greyed out.
    if (cell) cell.classList.toggle("is-no-data", box.checked);
  }

  /* --- wiring ------------------------------------------------------------- */
  forms.forEach(function (form) {
    badge(form);
    form.querySelectorAll(".no-data").forEach(syncNote);
    showRefused(form, REFUSED[form.dataset.part]);
    form.addEventListener("input", function (e) {
      if (e.target.name === "base_revision") return;
      markDirty(form);
    });
    // Typing, selects and checkboxes all fire "input"; "change" only folds the
    // note of a "no data" box (saving on change too would save twice).
    form.addEventListener("change", function (e) {
      if (e.target.classList.contains("no-data")) {
        syncNote(e.target);
        if (e.target.checked) e.target.closest("td").querySelector(".no-data-note").focus();
      }
    });
    // Leaving a part saves it at once rather than after the pause.
    form.addEventListener("focusout", function (e) {
      if (st(form).timer && !form.contains(e.relatedTarget)) save(form);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      save(form);
    });
    form.addEventListener("click", function (e) {
      const add = e.target.closest(".doc-add");
      const remove = e.target.closest(".doc-remove");
      if (add) {
        const row = addDocRow(add.closest(".docs"));
        row.querySelector("input").focus();
        markDirty(form);
      } else if (remove) {
        const docs = remove.closest(".docs");
        remove.closest(".doc-row").remove();
        renumber(docs);
        markDirty(form);
      }
    });
    // A copy kept on this machine that differs from the server's: offer it back.
    const local = readLocal(form);
    if (local && JSON.stringify(local.fields) !== JSON.stringify(fieldsOf(form))) {
      const box = alertBox(form, "restore");
      const p = document.createElement("p");
      p.className = "mb-1";
      p.textContent = M.restoreOffer.replace("%s", new Date(local.at).toLocaleString("vi-VN"));
      box.appendChild(p);
      box.appendChild(copyBlock(form, M.localCopy, local.fields));
      box.appendChild(button(M.restore, "btn-primary restore", function () {
        applyFields(form, local.fields);
        // Saved against the revision it was typed on: if the server moved on
        // meanwhile, the person sees both copies instead of an overwrite.
        base(form).value = local.base;
        box.remove();
        st(form).seq += 1;
        st(form).dirty = true;
        save(form);
      }));
      box.appendChild(button(M.discard, "btn-outline-secondary", function () {
        dropLocal(form);
        box.remove();
      }));
    } else if (local) {
      dropLocal(form);
    }
  });
  sessionAlert.querySelector(".retry").addEventListener("click", function () { saveAll(); });
  setInterval(function () {
    if (!sessionAlert.classList.contains("d-none")) saveAll();
  }, 30000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      forms.forEach(function (form) {
        if (st(form).timer) save(form, { keepalive: true });
      });
    }
  });
  window.addEventListener("pagehide", function () {
    forms.forEach(function (form) {
      if (st(form).timer && !st(form).busy && navigator.sendBeacon) {
        clearTimeout(st(form).timer);
        st(form).timer = null;
        navigator.sendBeacon(url, body(form));
      }
    });
  });
  // Leaving with something unsaved, or a value refused (kept, but not in the
  // report until fixed), asks first.
  window.addEventListener("beforeunload", function (e) {
    const pending = forms.some(function (form) {
      return st(form).dirty || form.querySelector(".is-invalid");
    });
    if (pending) {
      e.preventDefault();
      e.returnValue = M.leave;
    }
  });
  // Back from the page cache after a beacon save: the revisions on the page are
  // old; load the page again (unsaved text is offered back from this machine).
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) location.reload();
  });
  // The table of contents is open beside the text on wide screens, folded on phones.
  if (window.matchMedia("(min-width: 992px)").matches) {
    const toc = document.querySelector(".editor-toc");
    if (toc) toc.open = true;
  }
})();
