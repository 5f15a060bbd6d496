// Badge scanner of the check-in page: reads QR codes from the camera with jsQR and
// checks people in by POST. Check-ins that cannot be sent (no network, server away,
// session ended) wait in localStorage and are retried with growing pauses until they
// go through; the page says how many are waiting. The server accepts a repeated
// check-in, so a retry after a lost answer does no harm.
(function () {
  var section = document.querySelector("section.scanner[data-scan-url]");
  if (!section) { return; }
  var form = section.querySelector("form.scan-form");
  var input = form.querySelector("input[name=token]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var startButton = section.querySelector(".scan-start");
  var stopButton = section.querySelector(".scan-stop");
  var video = section.querySelector(".scan-video");
  var result = section.querySelector(".scan-result");
  var queueStatus = section.querySelector(".scan-queue");
  var key = section.getAttribute("data-queue-key");
  var url = section.getAttribute("data-scan-url");
  var msg = function (name) { return section.getAttribute("data-msg-" + name) || ""; };

  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var lastCode = "";
  var lastAt = 0;
  var sending = false;
  var delay = 1000;
  var timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { window.localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* full or off */ }
  }
  function showQueue(queue) {
    var n = queue.length;
    queueStatus.textContent = n === 0 ? "" :
      n === 1 ? msg("waiting-one") : msg("waiting-many").replace("{n}", String(n));
    section.classList.toggle("has-waiting", n > 0);
  }
  function say(text, kind) {
    result.textContent = text;
    result.className = "scan-result " + (kind || "");
  }

  function retryLater() {
    if (timer) { return; }
    timer = window.setTimeout(function () { timer = null; flush(); }, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function flush() {
    var queue = load();
    if (sending || queue.length === 0) { return; }
    showQueue(queue);
    sending = true;
    var item = queue[0];
    var body = new FormData();
    body.append("token", item.token);
    body.append("csrf_token", csrf ? csrf.value : "");
    window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) {
        // a login page or an error page instead of an answer: keep the check-in
        if (response.ok || response.status === 400) { say(msg("login"), "error"); }
        throw new Error("no answer");
      }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      var rest = load().filter(function (q) { return q.token !== item.token; });
      save(rest);
      sending = false;
      delay = 1000;
      if (answer.data.ok) {
        var who = [answer.data.name, answer.data.organisation, answer.data.role]
          .filter(Boolean).join(" · ");
        say(answer.data.message + (who ? " (" + who + ")" : ""), answer.data.already ? "info" : "ok");
        if (navigator.vibrate) { navigator.vibrate(80); }
      } else {
        say(answer.data.error, "error");
      }
      if (item.queued && rest.length === 0) { queueStatus.textContent = msg("sent"); }
      else { showQueue(rest); }
      flush();
    }).catch(function () {
      sending = false;
      var queue = load();
      queue.forEach(function (q) { q.queued = true; });
      save(queue);
      if (!result.classList.contains("error")) { say(msg("queued"), "warn"); }
      showQueue(queue);
      retryLater();
    });
  }

  function send(text) {
    text = (text || "").trim();
    if (!text) { return; }
    var queue = load();
    if (!queue.some(function (q) { return q.token === text; })) {
      queue.push({ token: text, at: Date.now() });
      save(queue);
    }
    flush();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
  });
  window.addEventListener("online", function () { delay = 1000; flush(); });

  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(frame.data, frame.width, frame.height,
                             { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (code && code.data && (code.data !== lastCode || now - lastAt > 5000)) {
        lastCode = code.data;
        lastAt = now;
        send(code.data);
      }
    }
    window.setTimeout(tick, 150);
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  if (window.jsQR && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          startButton.hidden = true;
          stopButton.hidden = false;
          say(msg("looking"), "");
          return video.play();
        }).then(tick).catch(function () { stop(); say(msg("no-camera"), "error"); });
    });
    stopButton.addEventListener("click", stop);
  }
  flush();
})();
