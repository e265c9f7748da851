// The sandbox phone's number picker; sandbox_thread.js keeps the thread fresh.
(function () {
  "use strict";
  var picker = document.getElementById("number");
  // Choosing another demo number shows that number's thread straight away.
  if (picker) {
    picker.addEventListener("change", function () {
      if (picker.value) { window.location.search = "?number=" + encodeURIComponent(picker.value); }
    });
  }
})();
