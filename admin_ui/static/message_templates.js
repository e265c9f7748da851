// Live preview of a message template while it is typed: the server fills it in (the same
// rules as saving), so what shows here is what a customer would read, or why it cannot be sent.
(function () {
  var form = document.getElementById("template-form");
  if (!form) { return; }
  var body = document.getElementById("body");
  var text = document.getElementById("preview-text");
  var length = document.getElementById("preview-length");
  var error = document.getElementById("preview-error");
  var timer = null;
  var latest = 0;

  function show(result) {
    text.hidden = !result.ok;
    length.hidden = !result.ok;
    error.hidden = result.ok;
    if (result.ok) {
      text.textContent = result.text;
      length.textContent = result.characters + " characters · " + result.segments +
        (result.segments === 1 ? " text" : " texts") +
        (result.unicode ? " (a special character makes each text part shorter)" : "");
    } else {
      error.textContent = result.error;
    }
  }

  function refresh() {
    var asked = ++latest;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result && asked === latest) { show(result); }
    }).catch(function () { /* offline: the Preview button still works */ });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
