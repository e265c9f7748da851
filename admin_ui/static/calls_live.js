// Refreshes the "Live now" table of the calls page every 3 seconds from its JSON route.
// Everything goes in with textContent: callers' names are never HTML.
(function () {
  "use strict";
  var table = document.getElementById("live-calls");
  var empty = document.getElementById("live-empty");
  if (!table || !table.dataset.url) { return; }
  var body = table.querySelector("tbody");
  var lastShown = "";

  function cell(text, href) {
    var td = document.createElement("td");
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      td.appendChild(link);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function row(call) {
    var tr = document.createElement("tr");
    var started = cell(call.started, call.url);
    started.className = "nowrap";
    tr.appendChild(started);
    tr.appendChild(cell(call.caller, call.caller_url));
    tr.appendChild(cell(call.status));
    tr.appendChild(cell(call.intent));
    var urgent = cell("");
    if (call.urgent) {
      var badge = document.createElement("span");
      badge.className = "badge urgent";
      badge.textContent = "urgent";
      urgent.appendChild(badge);
    }
    tr.appendChild(urgent);
    tr.appendChild(cell(call.taken_by));
    return tr;
  }

  function show(data) {
    var fingerprint = JSON.stringify(data.calls);
    if (fingerprint === lastShown) { return; }
    lastShown = fingerprint;
    body.replaceChildren.apply(body, data.calls.map(row));
    table.hidden = data.calls.length === 0;
    if (empty) { empty.hidden = data.calls.length !== 0; }
  }

  function poll() {
    fetch(table.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* the API is restarting: try again next tick */ })
      .finally(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
})();
