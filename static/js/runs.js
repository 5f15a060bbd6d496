// Live progress of solver runs on the console's schedule page: polls each active
// run's status and updates its row; reloads once a run ends to show its actions.
(function () {
  "use strict";
  var rows = document.querySelectorAll("[data-run-status]");
  if (!rows.length || !window.fetch) { return; }

  function update(row, data) {
    var status = row.querySelector('[data-field="status"]');
    var bar = row.querySelector('[data-field="progress"]');
    var numbers = row.querySelector('[data-field="numbers"]');
    var phase = row.querySelector('[data-field="phase"]');
    var queue = row.querySelector('[data-field="queue"]');
    var message = row.querySelector('[data-field="message"]');
    if (status) { status.textContent = data.status_label || data.status; }
    if (bar) { bar.value = data.progress; bar.textContent = Math.round(data.progress * 100) + "%"; }
    if (numbers && data.numbers) { numbers.textContent = data.numbers; }
    if (phase) { phase.textContent = data.phase_label ? " \u00b7 " + data.phase_label : ""; }
    if (queue && !data.queue_position) { queue.textContent = ""; }
    if (message && data.message) { message.textContent = data.message; }
  }

  function poll(row) {
    fetch(row.getAttribute("data-run-status"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        update(row, data);
        if (data.active) { window.setTimeout(function () { poll(row); }, 1500); }
        else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, 5000); });
  }

  Array.prototype.forEach.call(rows, function (row) { window.setTimeout(function () { poll(row); }, 1000); });
})();
