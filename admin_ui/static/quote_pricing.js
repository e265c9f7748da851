// While a quote is being priced, reload its page every 2 s (for at most 2 minutes).
(function () {
  if (!document.querySelector("[data-refresh-while-pricing]")) {
    sessionStorage.removeItem("pricing-reloads:" + location.pathname);
    return;
  }
  var key = "pricing-reloads:" + location.pathname;
  var count = Number(sessionStorage.getItem(key) || "0");
  if (count >= 60) { return; }
  setTimeout(function () {
    sessionStorage.setItem(key, String(count + 1));
    location.reload();
  }, 2000);
})();
