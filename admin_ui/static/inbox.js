// The inbox without reloading: every few seconds it asks /inbox/updates for the unread total,
// the list's rows (on the list page) and the open conversation's new messages and delivery
// statuses (on a conversation page). Same approach as calls_live.js: everything goes in with
// textContent, because customers' words are never HTML.
(function () {
  "use strict";
  var list = document.getElementById("inbox-list");
  var thread = document.getElementById("thread");
  var source = list || thread;

  // Quick replies fill the reply box; the person still reads it and presses Send.
  var body = document.getElementById("reply-body");
  Array.prototype.forEach.call(document.querySelectorAll(".quick-reply"), function (button) {
    button.addEventListener("click", function () {
      if (!body) { return; }
      var text = button.dataset.text || "";
      body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + " " + text : text;
      body.focus();
    });
  });

  if (!source || !source.dataset.url) { return; }
  var interval = parseInt(source.dataset.poll, 10) || 4000;
  var csrf = source.dataset.csrf || "";
  var lastRows = "";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function postForm(action, label, className) {
    var form = element("form", "inline" + (className ? " " + className : ""));
    form.method = "post";
    form.action = action;
    var token = element("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrf;
    form.appendChild(token);
    var button = element("button", "link", label);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  // The menu's count, created or removed as it changes (the menu renders it only when > 0).
  function showUnread(total) {
    var badge = document.getElementById("inbox-unread");
    var link = document.getElementById("nav-inbox");
    if (total === 0) {
      if (badge) { badge.remove(); }
      return;
    }
    if (!badge && link) {
      badge = element("span", "count-badge");
      badge.id = "inbox-unread";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    if (badge) { badge.textContent = String(total); }
  }

  // --- the list ---------------------------------------------------------------------------------

  function listRow(row) {
    var tr = element("tr", row.unread ? "unread" : "");
    tr.dataset.id = row.id;
    var name = element("td");
    var link = element("a", "", row.name);
    link.href = row.url;
    name.appendChild(link);
    if (row.unread) {
      name.appendChild(document.createTextNode(" "));
      name.appendChild(element("span", "count-badge", String(row.unread)));
    }
    tr.appendChild(name);
    var preview = element("td", "preview");
    if (row.outbound) { preview.appendChild(element("span", "muted", "Us: ")); }
    preview.appendChild(document.createTextNode(row.preview));
    tr.appendChild(preview);
    var channels = element("td");
    row.channels.forEach(function (label) {
      channels.appendChild(element("span", "channel channel-" + label.toLowerCase(), label));
      channels.appendChild(document.createTextNode(" "));
    });
    tr.appendChild(channels);
    var state = element("td");
    state.appendChild(element("span", "state state-" + row.state_class, row.state));
    tr.appendChild(state);
    tr.appendChild(element("td", "", row.assigned || "—"));
    tr.appendChild(element("td", "nowrap", row.when));
    var actions = element("td");
    if (row.unread) { actions.appendChild(postForm(row.url + "/read", "Mark read")); }
    tr.appendChild(actions);
    return tr;
  }

  function showList(data) {
    if (!data.rows) { return; }
    var fingerprint = JSON.stringify(data.rows);
    if (fingerprint === lastRows) { return; }
    lastRows = fingerprint;
    var tbody = list.querySelector("tbody");
    tbody.replaceChildren.apply(tbody, data.rows.map(listRow));
    list.hidden = data.rows.length === 0;
    var empty = document.getElementById("inbox-empty");
    if (empty) { empty.hidden = data.rows.length !== 0; }
  }

  // --- one conversation -------------------------------------------------------------------------

  function threadItem(item) {
    var li = element("li", "msg " + (item.inbound ? "inbound" : "outbound"));
    li.dataset.id = item.id;
    li.appendChild(element("span", "meta", item.who + " · " + item.channel + " · " + item.when));
    li.appendChild(element("span", "text", item.text));
    if (!item.inbound) {
      li.appendChild(element("span", "delivery delivery-" + item.status_class, item.status));
    }
    if (item.cancellable) {
      li.appendChild(postForm(thread.dataset.cancelUrl + item.id + "/cancel", "Cancel", "cancel"));
    }
    return li;
  }

  function updateStatus(status) {
    var li = thread.querySelector('li[data-id="' + status.id + '"]');
    if (!li) { return; }
    var delivery = li.querySelector(".delivery");
    if (delivery) {
      delivery.textContent = status.status;
      delivery.className = "delivery delivery-" + status.status_class;
    }
    var cancel = li.querySelector("form.cancel");
    if (cancel && !status.cancellable) { cancel.remove(); }
  }

  function showThread(data) {
    if (!data.messages) { return; }
    var stuck = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    data.messages.forEach(function (item) {
      if (thread.querySelector('li[data-id="' + item.id + '"]')) { return; }
      thread.appendChild(threadItem(item));
      thread.dataset.after = String(Math.max(parseInt(thread.dataset.after, 10) || 0, item.id));
    });
    if (data.messages.length) {
      var empty = document.getElementById("thread-empty");
      if (empty) { empty.hidden = true; }
      if (stuck) { thread.scrollTop = thread.scrollHeight; }
    }
    data.statuses.forEach(updateStatus);
    var state = document.getElementById("conversation-state");
    if (state && data.state) { state.textContent = data.state; }
  }

  function url() {
    if (!thread) { return source.dataset.url; }
    var seen = document.visibilityState === "visible" ? "1" : "";
    return source.dataset.url + "&after=" + encodeURIComponent(thread.dataset.after || "0") +
      "&seen=" + seen;
  }

  function poll() {
    fetch(url(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        showUnread(data.unread_total || 0);
        if (list) { showList(data); }
        if (thread) { showThread(data); }
      })
      .catch(function () { /* the API is restarting: try again next tick */ })
      .finally(function () { window.setTimeout(poll, interval); });
  }

  if (thread) { thread.scrollTop = thread.scrollHeight; }
  window.setTimeout(poll, interval);
})();
