// Refreshes a sandbox thread (the phone's texts, a Messenger or Instagram chat) every 2
// seconds, so the business's answer appears without reloading the page. Text goes in with
// textContent: messages are never HTML.
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  var status = document.getElementById("sandbox-status");
  if (!thread || !thread.dataset.url) { return; }
  var url = thread.dataset.url;
  var lastShown = "";

  function bubble(record) {
    var item = document.createElement("li");
    item.className = "bubble " + (record.inbound ? "inbound" : "outbound");
    var who = document.createElement("span");
    who.className = "who";
    var speaker = record.who || (record.inbound ? "Customer" : "Business");
    who.textContent = speaker + " · " + record.time;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = record.text;
    item.appendChild(who);
    item.appendChild(text);
    return item;
  }

  function show(data) {
    status.textContent = data.running ? "" : data.message;
    status.classList.toggle("warn", !data.running);
    if (!data.running) { return; }
    var fingerprint = JSON.stringify(data.records);
    if (fingerprint === lastShown) { return; }
    lastShown = fingerprint;
    var empty = document.getElementById("thread-empty");
    if (empty && data.records.length) { empty.remove(); }
    thread.replaceChildren.apply(thread, data.records.map(bubble));
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* the API itself is restarting: try again next tick */ })
      .finally(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
