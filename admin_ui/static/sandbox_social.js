// The sandbox Messenger/Instagram page's platform and customer pickers; sandbox_thread.js keeps
// the thread fresh.
(function () {
  "use strict";
  var platform = document.getElementById("platform");
  var customer = document.getElementById("sender_id");

  // Another platform or customer shows that thread straight away; "A new customer…" stays put,
  // since the emulator only makes up the id when the first message is sent.
  function showThreadOf(senderId) {
    var query = "?platform=" + encodeURIComponent(platform.value);
    if (senderId) { query += "&sender_id=" + encodeURIComponent(senderId); }
    window.location.search = query;
  }
  if (platform) {
    platform.addEventListener("change", function () { showThreadOf(""); });
  }
  if (customer) {
    customer.addEventListener("change", function () {
      if (customer.value) { showThreadOf(customer.value); }
    });
  }
})();
