// Follows the sandbox call every second through the admin's JSON proxy: what the assistant
// said, what the business did (transfers, voicemail), and Teppan's own record of the call.
// Text goes in with textContent: nothing from the call is ever HTML.
(function () {
  "use strict";
  var picker = document.getElementById("number");
  var other = document.getElementById("other_number");
  if (picker && other) {
    picker.addEventListener("change", function () { if (picker.value) { other.value = ""; } });
  }
  var live = document.getElementById("live-call");
  if (!live || !live.dataset.url) { return; }
  var status = document.getElementById("sandbox-status");
  var lastShown = "";
  var ticksAfterEnd = 0;

  function byId(id) { return document.getElementById(id); }
  function text(id, value) { var node = byId(id); if (node) { node.textContent = value || "\u2014"; } }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function speech(item) {
    var li = element("li", "bubble outbound");
    li.appendChild(element("span", "who", "Assistant \u00b7 " + item.time));
    li.appendChild(element("span", "text", item.text));
    return li;
  }

  function action(item) {
    var li = element("li", "", item.label + " ");
    li.appendChild(element("span", "muted", item.time));
    return li;
  }

  function decision(entry) {
    var tr = element("tr");
    [entry.time, entry.intent, entry.confidence, entry.escalate, entry.reason, entry.source]
      .forEach(function (value, index) {
        tr.appendChild(element("td", index === 0 ? "nowrap" : index === 2 ? "num" : "", value));
      });
    return tr;
  }

  function fill(id, items, make) {
    var node = byId(id);
    if (node) { node.replaceChildren.apply(node, items.map(make)); }
  }

  function show(data) {
    status.textContent = data.running ? "" : data.message;
    status.classList.toggle("warn", !data.running);
    var fingerprint = JSON.stringify(data);
    if (fingerprint === lastShown) { return; }
    lastShown = fingerprint;
    var call = data.call, record = data.record;
    if (call) {
      text("call-status", call.status);
      fill("speech", call.speech, speech);
      fill("actions", call.actions, action);
    }
    text("record-status", record ? record.status : "not recorded yet");
    text("record-intent", record && record.intent);
    text("record-outcome", record && record.outcome);
    text("record-taken-by", record && record.taken_by);
    var link = byId("record-link");
    if (link && record) { link.href = record.url; link.hidden = false; }
    fill("triage-live", record ? record.triage : [], decision);
  }

  function poll() {
    fetch(live.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        if (data.record && data.record.ended) { ticksAfterEnd += 1; }
      })
      .catch(function () { /* the API is restarting: try again next tick */ })
      .finally(function () {
        // Once Teppan has closed the call, a few more looks catch the last words, then stop.
        if (ticksAfterEnd < 5) { window.setTimeout(poll, 1000); }
      });
  }
  window.setTimeout(poll, 1000);
})();
