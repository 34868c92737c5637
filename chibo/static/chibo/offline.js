/* chibo: offline-safe meeting forms (issue 4, point 5). No build, no dependencies.
 *
 * What is typed is kept on the device (localStorage) as it is typed. A submitted form becomes
 * an item in the outbox with a client-generated id and the values it started from; the outbox
 * is sent in order whenever there is a connection (on load, when the browser comes back online,
 * every 15 s while something waits). The server applies each id once and answers 409 with both
 * versions when a field was changed elsewhere meanwhile: the secretary chooses. A 302/403 means
 * the login session ended: the items wait until the secretary logs in again. The status line
 * says plainly what is on the device and what reached the server.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-offline-root]");
  if (!root || !window.localStorage) return;
  var T = JSON.parse(document.getElementById("offline-text").textContent);
  var user = root.getAttribute("data-user");
  var meeting = root.getAttribute("data-meeting");
  var OUTBOX = "chibo:outbox:" + user;
  // Drafts and known server states belong to a meeting: an item sent from another meeting's
  // page is filed under its own meeting, never this one.
  function draftKey(m, form) { return "chibo:draft:" + user + ":" + m + ":" + form; }
  function stateKey(m, form) { return "chibo:state:" + user + ":" + m + ":" + form; }
  var statusEl = document.getElementById("sync-status");
  var conflictEl = document.getElementById("sync-conflict");
  var problem = ""; // "" | "offline" | "login" | "server"
  var syncing = false;

  function load(key, fallback) {
    try {
      var raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function store(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b); // available without HTTPS, unlike crypto.randomUUID
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  function hhmm(t) {
    var d = new Date(t);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function cookie(name) {
    var m = document.cookie.match("(^|;)\\s*" + name + "=([^;]*)");
    return m ? decodeURIComponent(m[2]) : "";
  }
  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-offline]"));
  }
  function formNamed(name) {
    return document.querySelector('form[data-offline="' + name + '"]');
  }
  function appendOnly(form) {
    return form.getAttribute("data-offline-append") !== null;
  }

  // Field values: what is shown now, or the defaults the page was rendered with (the base).
  function read(form, base) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" || el.type === "submit") return;
      if (el.type === "radio") {
        if (!(el.name in out)) out[el.name] = "";
        if (base ? el.defaultChecked : el.checked) out[el.name] = el.value;
      } else if (el.type === "checkbox") {
        out[el.name] = (base ? el.defaultChecked : el.checked) ? el.value : "";
      } else if (el.tagName === "SELECT") {
        var opt = Array.prototype.filter.call(el.options, function (o) { return base ? o.defaultSelected : o.selected; })[0];
        out[el.name] = opt ? opt.value : "";
      } else {
        out[el.name] = base ? el.defaultValue : el.value;
      }
    });
    return out;
  }
  function write(form, values, asBase) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || el.type === "file" || el.type === "hidden") return;
      var v = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = el.value === v;
        if (asBase) el.defaultChecked = el.checked;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = o.value === v;
          if (asBase) o.defaultSelected = o.selected;
        });
      } else {
        if (asBase) el.defaultValue = v;
        el.value = v;
      }
    });
  }

  function note(form, text) {
    var el = form.querySelector(".offline-note");
    if (!el) {
      el = document.createElement("p");
      el.className = "offline-note";
      el.setAttribute("data-testid", "offline-note");
      form.insertBefore(el, form.firstChild);
    }
    el.textContent = text;
    el.hidden = !text;
  }

  function outbox() {
    return load(OUTBOX, []);
  }

  function render() {
    var items = outbox();
    var mine = items.filter(function (i) { return i.meeting === meeting; });
    statusEl.className = "sync-status " + (items.length ? "pending" : "synced");
    if (!items.length) {
      statusEl.textContent = T.synced;
    } else {
      var waiting = items.some(function (i) { return i.conflict; });
      var why = waiting ? T.waiting_choice : problem === "login" ? T.login : problem === "offline" || !navigator.onLine ? T.offline : problem === "server" ? T.server : T.sending;
      statusEl.textContent = T.pending.replace("%(n)s", items.length) + " " + why;
      if (problem === "login") {
        var a = document.createElement("a");
        a.href = T.login_url + "?next=" + encodeURIComponent(location.pathname);
        a.textContent = T.login_link;
        statusEl.appendChild(document.createTextNode(" "));
        statusEl.appendChild(a);
      }
      var ul = document.createElement("ul");
      mine.forEach(function (i) {
        var li = document.createElement("li");
        li.textContent = (T.forms[i.form] || i.form) + " — " + T.saved_at.replace("%(t)s", hhmm(i.at)) + (i.conflict ? " — " + T.needs_choice : "");
        ul.appendChild(li);
      });
      statusEl.appendChild(ul);
    }
    forms().forEach(function (form) {
      var name = form.getAttribute("data-offline");
      var draft = load(draftKey(meeting, name), null);
      note(form, draft ? T.draft.replace("%(t)s", hhmm(draft.at)) : "");
    });
  }

  function queue(form) {
    var name = form.getAttribute("data-offline");
    var item = {
      id: uuid(),
      url: form.getAttribute("action"),
      form: name,
      meeting: meeting,
      values: read(form, false),
      base: appendOnly(form) ? {} : read(form, true),
      at: Date.now(),
    };
    var items = outbox();
    items.push(item);
    store(OUTBOX, items);
    localStorage.removeItem(draftKey(meeting, name));
    if (appendOnly(form)) {
      form.reset();
    } else {
      write(form, item.values, true); // the next change of this form starts from these values
    }
  }

  function body(item) {
    var fd = new FormData();
    Object.keys(item.values).forEach(function (k) { fd.append(k, item.values[k]); });
    Object.keys(item.base).forEach(function (k) { fd.append("base." + k, item.base[k]); });
    return fd;
  }

  function showConflict(item, answer) {
    conflictEl.hidden = false;
    conflictEl.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = T.conflict_title;
    conflictEl.appendChild(h);
    var table = document.createElement("table");
    var head = table.insertRow();
    [T.field, T.mine, T.theirs].forEach(function (t) {
      var th = document.createElement("th");
      th.textContent = t;
      head.appendChild(th);
    });
    answer.conflicts.forEach(function (c) {
      var row = table.insertRow();
      [c.label, c.mine_text, c.theirs_text].forEach(function (t) { row.insertCell().textContent = t; });
    });
    conflictEl.appendChild(table);
    function choose(keepMine) {
      var items = outbox();
      var it = items.filter(function (x) { return x.id === item.id; })[0];
      if (!it) return;
      answer.conflicts.forEach(function (c) {
        it.base[c.field] = c.theirs;
        if (!keepMine) it.values[c.field] = c.theirs;
      });
      it.conflict = false;
      store(OUTBOX, items);
      conflictEl.hidden = true;
      var form = formNamed(it.form);
      if (form && it.meeting === meeting && !keepMine) write(form, it.values, true);
      sync();
    }
    [[T.keep_mine, true, "keep-mine"], [T.keep_theirs, false, "keep-theirs"]].forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b[0];
      btn.setAttribute("data-testid", b[2]);
      if (!b[1]) btn.className = "secondary";
      btn.addEventListener("click", function () { choose(b[1]); });
      conflictEl.appendChild(btn);
    });
  }

  function refused(item, answer) {
    // The server refused the change (bad input, or no longer allowed): it leaves the outbox but
    // stays on the device as a draft of its form, with its own base (what the form started
    // from) and the reasons shown, so nothing typed is lost and a corrected resend still
    // carries every change.
    var form = formNamed(item.form);
    store(draftKey(item.meeting, item.form), { values: item.values, base: item.base, at: item.at });
    if (form && item.meeting === meeting) {
      if (!appendOnly(form)) write(form, item.base, true);
      write(form, item.values, false);
      var el = document.createElement("ul");
      el.className = "messages";
      (answer.errors || []).forEach(function (e) {
        var li = document.createElement("li");
        li.className = "error";
        li.textContent = e;
        el.appendChild(li);
      });
      form.insertBefore(el, form.firstChild);
    }
  }

  function accepted(item, answer) {
    if (answer.state) {
      store(stateKey(item.meeting, item.form), { version: answer.version, state: answer.state });
    }
    if (item.meeting !== meeting) return;
    root.setAttribute("data-version", answer.version);
    var later = outbox().some(function (x) { return x.form === item.form && x.meeting === item.meeting; });
    var form = formNamed(item.form);
    if (form && answer.state && !later && !load(draftKey(meeting, item.form), null)) {
      write(form, answer.state, true);
    }
  }

  // A 403 is either the end of the session (CSRF after a new login, or no session at all) or a
  // real refusal (the right was withdrawn). Asking a page that needs a login tells them apart.
  function loggedIn() {
    return fetch(T.probe_url, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
      return r.type !== "opaqueredirect" && r.ok;
    });
  }

  function sync() {
    if (syncing) return;
    var items = outbox();
    if (!items.length) { problem = ""; render(); return; }
    var item = items[0];
    if (item.conflict) { render(); return; }
    syncing = true;
    fetch(item.url, {
      method: "POST",
      body: body(item),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Chibo-Client-Id": item.id, "X-CSRFToken": cookie("csrftoken"), Accept: "application/json" },
    })
      .then(function (res) {
        if (res.type === "opaqueredirect" || res.status === 401) {
          problem = "login";
          return null;
        }
        if (res.status >= 500) { problem = "server"; return null; }
        var drop = function (reasons) {
          store(OUTBOX, outbox().filter(function (x) { return x.id !== item.id; }));
          refused(item, { errors: reasons });
          problem = "";
          return true;
        };
        if (res.status === 403) {
          return loggedIn().then(function (yes) {
            if (!yes) { problem = "login"; return null; }
            return drop([T.forbidden]);
          });
        }
        var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) return drop([res.status === 404 ? T.gone : T.refused]);
        return res.json().then(function (answer) {
          var rest = outbox();
          if (res.status === 409) {
            rest.forEach(function (x) { if (x.id === item.id) x.conflict = true; });
            store(OUTBOX, rest);
            showConflict(item, answer);
            problem = "";
            return null;
          }
          store(OUTBOX, rest.filter(function (x) { return x.id !== item.id; }));
          if (answer.ok) accepted(item, answer);
          else refused(item, answer);
          problem = "";
          return true;
        });
      })
      .catch(function () { problem = "offline"; return null; })
      .then(function (more) {
        syncing = false;
        render();
        if (more) sync();
      });
  }

  // A page served from the device's copy may be older than what the device last sent.
  var version = parseInt(root.getAttribute("data-version"), 10);
  forms().forEach(function (form) {
    var name = form.getAttribute("data-offline");
    var known = load(stateKey(meeting, name), null);
    if (known && known.version > version) write(form, known.state, true);
    outbox().forEach(function (i) {
      if (i.form === name && i.meeting === meeting && !appendOnly(form)) write(form, i.values, true);
    });
    var draft = load(draftKey(meeting, name), null);
    if (draft) {
      if (draft.base && !appendOnly(form)) write(form, draft.base, true);
      write(form, draft.values, false);
    }
    var keep = function () {
      var base = appendOnly(form) ? {} : read(form, true);
      store(draftKey(meeting, name), { values: read(form, false), base: base, at: Date.now() });
      render();
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      queue(form);
      render();
      sync();
    });
  });
  var pendingConflict = outbox().filter(function (i) { return i.conflict; })[0];
  if (pendingConflict) {
    pendingConflict.conflict = false; // ask the server again: the other change may be gone
    store(OUTBOX, outbox().map(function (i) { return i.id === pendingConflict.id ? pendingConflict : i; }));
  }
  window.addEventListener("online", sync);
  window.addEventListener("offline", function () { problem = "offline"; render(); });
  setInterval(function () { if (outbox().length) sync(); }, 15000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(T.sw_url).catch(function () {});
  render();
  sync();
})();
