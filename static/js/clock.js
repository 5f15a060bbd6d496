// The round clock: slot times arrive once (data-clock), then the countdown runs on the
// local clock, corrected by the server's time when it can be reached, so it keeps
// time when the network drops. At each change of round it flashes and, once sound is
// switched on, beeps.
(function () {
  "use strict";
  var root = document.getElementById("clock");
  if (!root) { return; }
  var data = JSON.parse(root.getAttribute("data-clock"));
  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var field = function (name) { return root.querySelector('[data-field="' + name + '"]'); };
  var slots = data.slots.map(function (s) {
    return {start: Date.parse(s.start), end: Date.parse(s.end), label: s.label, time: s.time};
  });
  var offset = Date.parse(data.now) - Date.now();  // server time minus this machine's
  var lastKey = null;
  var sound = false;
  var audio = null;
  var changeTimer = null;

  function now() { return Date.now() + offset; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(seconds);
  }

  function state(t) {
    for (var i = 0; i < slots.length; i++) {
      if (slots[i].start <= t && t < slots[i].end) {
        return {key: "round-" + i, kind: "round", slot: slots[i], next: slots[i + 1], left: slots[i].end - t};
      }
      if (t < slots[i].start) {
        return {key: "wait-" + i, kind: i === 0 ? "before" : "break", slot: null, next: slots[i], left: slots[i].start - t};
      }
    }
    return {key: "over", kind: "over", slot: null, next: null, left: 0};
  }

  function beep() {
    if (!sound) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35, 0.7].forEach(function (at) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.3;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 0.25);
      });
    } catch (e) { /* no audio on this machine: the flash remains */ }
  }

  function signal(s) {
    root.classList.remove("flash");
    void root.offsetWidth;  // restart the animation
    root.classList.add("flash");
    field("change").textContent = s.kind === "round" ? text("change") : "";
    window.clearTimeout(changeTimer);
    changeTimer = window.setTimeout(function () { field("change").textContent = ""; root.classList.remove("flash"); }, 15000);
    beep();
  }

  function tick() {
    var s = state(now());
    root.classList.toggle("is-break", s.kind === "break" || s.kind === "before");
    root.classList.toggle("is-ending", s.kind === "round" && s.left <= 60000);
    root.setAttribute("data-state", s.key);
    if (s.kind === "round") {
      field("round").textContent = s.slot.label + " · " + s.slot.time;
      field("time").textContent = format(s.left);
      field("caption").textContent = text("round-left");
    } else if (s.kind === "over") {
      field("round").textContent = text("over");
      field("time").textContent = "00:00";
      field("caption").textContent = "";
    } else {
      field("round").textContent = s.kind === "before" ? text("before") : text("break");
      field("time").textContent = format(s.left);
      field("caption").textContent = text("next-in");
    }
    field("next").textContent = s.next ? text("next") + " " + s.next.label + " · " + s.next.time
      : (s.kind === "round" ? text("last") : "");
    field("time").classList.toggle("is-long", field("time").textContent.length > 5);
    if (lastKey !== null && s.key !== lastKey) { signal(s); }
    lastKey = s.key;
  }

  function sync() {
    if (!window.fetch) { return; }
    var sent = Date.now();
    fetch(data.time_url, {cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (reply) {
        var back = Date.now();
        offset = Date.parse(reply.now) - (sent + back) / 2;
        field("offline").hidden = true;
      })
      .catch(function () { field("offline").hidden = false; });
  }

  root.querySelector('[data-action="fullscreen"]').addEventListener("click", function () {
    if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  });
  root.querySelector('[data-action="sound"]').addEventListener("click", function (e) {
    sound = !sound;
    e.currentTarget.setAttribute("aria-pressed", sound ? "true" : "false");
    if (sound) { beep(); }
  });
  window.addEventListener("online", sync);
  window.addEventListener("offline", function () { field("offline").hidden = false; });
  tick();
  window.setInterval(tick, 250);
  window.setInterval(sync, 5 * 60 * 1000);
})();
