// The review queue by keyboard: j/k move between payments, 1-3 apply the focused payment to
// that candidate, i marks it "not a booking payment". A key only submits a form that is
// already on the page, so the queue works the same without this script.
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-review-item]"));
  if (!items.length) { return; }

  function focused() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-review-item]") : null;
  }

  function move(step) {
    var at = items.indexOf(focused());
    var next = at === -1 ? items[0] : items[Math.min(items.length - 1, Math.max(0, at + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (event.key === "j" || event.key === "k") {
      move(event.key === "j" ? 1 : -1);
      event.preventDefault();
      return;
    }
    if (!/^[1-9i]$/.test(event.key)) { return; }
    var item = focused();
    var form = item && item.querySelector('form[data-shortcut="' + event.key + '"]');
    if (!form) { return; }
    event.preventDefault();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
