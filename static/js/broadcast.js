// Follows a broadcast being sent: polls its status and moves the progress bar.
(function () {
  "use strict";
  var panel = document.querySelector("[data-broadcast-status]");
  if (!panel || !window.fetch) { return; }
  var bar = panel.querySelector('[data-field="bar"]');
  var text = panel.querySelector('[data-field="text"]');

  function poll() {
    fetch(panel.getAttribute("data-broadcast-status"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        bar.max = Math.max(data.total, 1);
        bar.value = data.sent;
        text.textContent = data.text;
        if (data.finished) { window.location.reload(); }
        else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
