/* wagate manager: shows GET / and, with a key the user types, GET /instance/fetchInstances.
 * Plain browser JavaScript, no dependencies. Everything from the server is inserted with
 * textContent, never as HTML. The key lives in sessionStorage only. */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };

  /* The API lives at the root of this server unless the user typed another base
   * (e.g. https://host/wagate when the API is mounted under WAGATE_URL_PREFIX). */
  function apiBase() {
    var b = $("base").value.trim();
    return b.replace(/\/+$/, "");
  }

  function setStatus(el, text, kind) {
    el.textContent = text;
    el.className = "status" + (kind ? " " + kind : "");
  }

  /* fetch JSON; resolves {status, body} (body = parsed JSON or raw text), rejects on network error */
  function getJSON(path, apikey) {
    var headers = { "Accept": "application/json" };
    if (apikey) headers.apikey = apikey;
    return fetch(apiBase() + path, { headers: headers, cache: "no-store" }).then(function (r) {
      return r.text().then(function (t) {
        var body = t;
        try { body = JSON.parse(t); } catch (e) { /* keep the text */ }
        return { status: r.status, body: body };
      });
    });
  }

  /* The error envelope is {"status":N,"error":"...","response":{"message": string | [..]}} */
  function errorText(res) {
    var b = res.body;
    if (b && typeof b === "object" && b.response && b.response.message !== undefined) {
      var m = b.response.message;
      return "HTTP " + res.status + ": " + (Array.isArray(m) ? m.join("; ") : String(m));
    }
    return "HTTP " + res.status;
  }

  function loadServer() {
    var st = $("server-status");
    setStatus(st, "Loading…");
    getJSON("/").then(function (res) {
      $("server-json").textContent = typeof res.body === "string"
        ? res.body : JSON.stringify(res.body, null, 2);
      if (res.status === 200) setStatus(st, "Server is up.", "ok");
      else setStatus(st, errorText(res), "bad");
    }, function (err) {
      $("server-json").textContent = "";
      setStatus(st, "Cannot reach the API: " + err.message, "bad");
    });
  }

  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (cls) td.className = cls;
    return td;
  }

  function showInstances(rows) {
    var tbody = $("instances-table").querySelector("tbody");
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var state = row.connectionStatus || row.state || "";
      tr.appendChild(cell(row.name || row.instanceName));
      tr.appendChild(cell(state, "state-" + String(state).replace(/[^a-z]/g, "")));
      tr.appendChild(cell(row.id || row.instanceId, "id"));
      tbody.appendChild(tr);
    });
    $("instances-table").hidden = rows.length === 0;
  }

  function loadInstances() {
    var key = $("apikey").value.trim();
    var st = $("instances-status");
    if (!key) { setStatus(st, "Enter an API key to list the instances."); return; }
    try { sessionStorage.setItem("wagate.apikey", key); } catch (e) { /* private mode */ }
    setStatus(st, "Loading…");
    getJSON("/instance/fetchInstances", key).then(function (res) {
      if (res.status !== 200 || !Array.isArray(res.body)) {
        showInstances([]);
        setStatus(st, errorText(res), "bad");
        return;
      }
      showInstances(res.body);
      setStatus(st, res.body.length + (res.body.length === 1 ? " instance." : " instances."), "ok");
    }, function (err) {
      showInstances([]);
      setStatus(st, "Cannot reach the API: " + err.message, "bad");
    });
  }

  function init() {
    try {
      $("base").value = localStorage.getItem("wagate.base") || "";
      $("apikey").value = sessionStorage.getItem("wagate.apikey") || "";
    } catch (e) { /* storage disabled */ }
    $("base").addEventListener("change", function () {
      try { localStorage.setItem("wagate.base", $("base").value.trim()); } catch (e) { }
      loadServer();
    });
    $("refresh").addEventListener("click", function () { loadServer(); loadInstances(); });
    $("key-form").addEventListener("submit", function (ev) { ev.preventDefault(); loadInstances(); });
    loadServer();
    if ($("apikey").value) loadInstances();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
