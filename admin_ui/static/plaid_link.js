// Plaid Link hands back a one-time public token; the server exchanges it for the lasting one.
(function () {
  var form = document.getElementById("plaid-exchange");
  var status = document.getElementById("plaid-status");
  if (!window.Plaid) { status.textContent = "Plaid's script did not load: check the connection and reload."; return; }
  var handler = window.Plaid.create({
    token: form.getAttribute("data-link-token"),
    onSuccess: function (publicToken, metadata) {
      form.elements.public_token.value = publicToken;
      form.elements.institution_name.value = (metadata && metadata.institution && metadata.institution.name) || "";
      status.textContent = "Connecting…";
      form.submit();
    },
    onExit: function (error) { status.textContent = error ? "Plaid stopped: " + (error.display_message || error.error_message || error.error_code) : "Closed without connecting."; }
  });
  document.getElementById("open-plaid").addEventListener("click", function () { handler.open(); });
  handler.open();
})();
