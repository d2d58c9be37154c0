// The evaluator's phone page (drills/evaluate.html): ratings typed without a connection
// are kept in the browser and sent when the connection returns. Unlike the task page's
// notes (a queue: each note is new), a rating form is a snapshot — only the latest one
// is kept, and sending it again is harmless because a rating given again replaces the
// evaluator's earlier one. Photos are too large to keep: they go up with the ordinary
// form when there is a connection, and are chosen again otherwise.
(function () {
  "use strict";

  var form = document.querySelector("form[data-offline-key]#rating-form");
  if (!form) {
    return;
  }
  var storeKey = form.getAttribute("data-offline-key");
  var status = document.getElementById("rating-status");

  function say(label, isError) {
    status.textContent = form.getAttribute(label) || "";
    status.classList.toggle("error", !!isError);
  }

  function kept() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function keep(fields) {
    try {
      if (fields) {
        window.localStorage.setItem(storeKey, JSON.stringify(fields));
      } else {
        window.localStorage.removeItem(storeKey);
      }
    } catch (e) { /* private mode: nothing can be kept */ }
  }

  function snapshot() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.disabled) {
        return;
      }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        return;
      }
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  function restore(fields) {
    fields.forEach(function (pair) {
      var matches = form.querySelectorAll('[name="' + pair[0] + '"]');
      Array.prototype.forEach.call(matches, function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = el.value === pair[1];
        } else {
          el.value = pair[1];
        }
      });
    });
  }

  function send(fields) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    return fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
  }

  var sending = false;
  function flush() {
    var fields = kept();
    if (sending || !fields || !navigator.onLine) {
      return;
    }
    sending = true;
    send(fields).then(function (response) {
      sending = false;
      if (response.ok) {
        keep(null);
        say("data-label-sent");
        window.location.reload();
      } else if (response.status === 400) {
        // Refused by the server (a closed evaluation, a bad value): show why with the
        // ordinary form, which answers with a message beside each field.
        keep(null);
        restore(fields);
        form.submit();
      }
      // Other answers (a server restarting): keep it and try again later.
    }).catch(function () {
      sending = false;
      say("data-label-queued");
    });
  }

  form.addEventListener("submit", function (event) {
    var files = form.querySelectorAll("input[type=file]");
    var hasPhoto = Array.prototype.some.call(files, function (f) {
      return f.files && f.files.length;
    });
    if (hasPhoto && navigator.onLine) {
      return; // photos go up with the ordinary form
    }
    event.preventDefault();
    keep(snapshot());
    if (hasPhoto) {
      say("data-label-photo-offline");
    }
    if (navigator.onLine) {
      flush();
    } else if (!hasPhoto) {
      say("data-label-queued");
    }
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
  var waiting = kept();
  if (waiting) {
    restore(waiting);
    if (navigator.onLine) {
      flush();
    } else {
      say("data-label-queued");
    }
  }
})();
