// The page of a background import: follow its progress, and show the page again when
// the job moves to another phase or ends. Polls are passive: they do not keep a
// session alive (accounts/middleware.py).
(function () {
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-progress");
  var state = box.getAttribute("data-state");
  var phase = box.getAttribute("data-phase");
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-done]");
  var total = box.querySelector("[data-total]");
  function poll() {
    fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-Yingji-Passive": "1" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (job) {
        if (!job) {
          return;
        }
        if (job.finished || job.state !== state || job.phase !== phase) {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.max = Math.max(job.total, 1);
          bar.value = job.done;
        }
        if (done) {
          done.textContent = String(job.done);
        }
        if (total) {
          total.textContent = String(job.total);
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
