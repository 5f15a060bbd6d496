// A button with data-copy="<input id>" copies that input's text and says so in the
// nearest role=status. Shown only when this script runs; the input stays selectable.
(function () {
  function announce(button, text) {
    var status = button.closest("p").querySelector("[role=status]");
    if (status) { status.textContent = text; }
  }
  function fallback(input) {
    input.focus();
    input.select();
    return document.execCommand && document.execCommand("copy");
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { announce(button, button.getAttribute("data-copied")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          if (fallback(input)) { done(); }
        });
      } else if (fallback(input)) {
        done();
      }
    });
  });
})();
