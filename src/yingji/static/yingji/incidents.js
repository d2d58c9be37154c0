// The incident board, live: timeline events arrive over Server-Sent Events; a task's
// state changes in place, other changes refresh the board's sections. On the task page,
// a progress note written without a connection is kept in the browser and sent when the
// connection returns (the server keeps one note per client key, so a resend is harmless).
(function () {
  "use strict";

  // --- the board ------------------------------------------------------------------------
  var board = document.getElementById("board");
  var REFRESHING = {
    "incident.facts": 1, "incident.graded": 1, "incident.regraded": 1,
    "incident.activated": 1, "incident.linked_plan": 1, "incident.on_site": 1,
    "incident.controlled": 1, "incident.ended": 1, "incident.closed": 1,
    "report.submitted": 1, "release.published": 1, "request.created": 1,
    "request.decided": 1, "task.created": 1
  };

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function addTimelineRow(item) {
    var body = document.querySelector("#timeline tbody");
    if (!body || body.querySelector('tr[data-event="' + item.id + '"]')) {
      return;
    }
    var row = document.createElement("tr");
    row.setAttribute("data-event", String(item.id));
    row.setAttribute("data-kind", item.kind);
    if (item.late) {
      row.className = "late";
    }
    [item.happened, item.recorded, item.label, item.summary, item.by].forEach(function (text) {
      row.appendChild(cell(text));
    });
    body.appendChild(row);
    applyTimelineFilter();
  }

  function updateTask(task) {
    var row = document.getElementById("task-" + task.id);
    if (!row) {
      return false;
    }
    var state = row.querySelector(".state");
    state.textContent = task.label;
    state.setAttribute("data-state", task.state);
    row.className = "task " + task.state;
    return true;
  }

  var refreshTimer = null;
  function refreshBoard() {
    if (refreshTimer) {
      return;
    }
    refreshTimer = window.setTimeout(function () {
      refreshTimer = null;
      var url = board.getAttribute("data-refresh");
      // The stream asked for this refresh, not the person: it must not keep the session alive.
      fetch(url, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-Yingji-Passive": "1" },
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) {
            return;
          }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
          if (!fresh) {
            return;
          }
          // Keep what the user is typing: only replace when no field has focus inside.
          var active = document.activeElement;
          if (active && board.contains(active) && /INPUT|TEXTAREA|SELECT/.test(active.tagName)) {
            return;
          }
          board.innerHTML = fresh.innerHTML;
          bindTimelineFilter();
          if (window.yingjiMap && window.yingjiMap.init) {
            window.yingjiMap.init(board);
          }
        })
        .catch(function () { /* the next event refreshes again */ });
    }, 200);
  }

  function applyTimelineFilter() {
    var only = document.getElementById("timeline-late-only");
    var kind = document.getElementById("timeline-kind");
    var wanted = kind ? kind.value : "";
    var rows = document.querySelectorAll("#timeline tbody tr");
    for (var i = 0; i < rows.length; i++) {
      var late = !only || !only.checked || rows[i].classList.contains("late");
      var family = (rows[i].getAttribute("data-kind") || "").split(".")[0];
      rows[i].hidden = !(late && (!wanted || family === wanted));
    }
  }

  function bindTimelineFilter() {
    ["timeline-late-only", "timeline-kind"].forEach(function (id) {
      var control = document.getElementById(id);
      if (control) {
        control.addEventListener("change", applyTimelineFilter);
      }
    });
  }

  if (board) {
    bindTimelineFilter();
    if (window.EventSource) {
      var after = board.getAttribute("data-last-event") || "0";
      var source = new EventSource(board.getAttribute("data-stream") + "?after=" + after);
      source.addEventListener("timeline", function (event) {
        var item = JSON.parse(event.data);
        addTimelineRow(item);
        var placed = item.task ? updateTask(item.task) : true;
        if (REFRESHING[item.kind] || !placed) {
          refreshBoard();
        }
        board.setAttribute("data-last-event", String(item.id));
      });
    }
  }

  // --- progress notes that survive a lost connection ------------------------------------------
  var form = document.getElementById("note-form");
  if (!form) {
    return;
  }
  var storeKey = form.getAttribute("data-offline-key");
  var status = document.getElementById("note-status");

  function queued() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function keep(list) {
    window.localStorage.setItem(storeKey, JSON.stringify(list));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function localNow() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var offset = -now.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      "T" + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()) +
      sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  function post(note) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("text", note.text);
    data.append("written_at", note.written_at);
    data.append("client_key", note.client_key);
    return fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("refused: " + response.status);
      }
    });
  }

  var flushing = false;
  function flush() {
    var list = queued();
    if (flushing || !list.length || !navigator.onLine) {
      return;
    }
    flushing = true;
    var note = list[0];
    post(note).then(function () {
      keep(queued().filter(function (n) { return n.client_key !== note.client_key; }));
      flushing = false;
      if (queued().length) {
        flush();
      } else {
        status.textContent = form.getAttribute("data-label-sent");
        window.location.reload();
      }
    }).catch(function () {
      flushing = false;
      status.textContent = form.getAttribute("data-label-queued");
    });
  }

  form.addEventListener("submit", function (event) {
    var photo = form.querySelector("input[type=file]");
    var hasPhoto = !!(photo && photo.files && photo.files.length);
    if (hasPhoto && navigator.onLine) {
      return; // a photo goes up with the ordinary form
    }
    event.preventDefault();
    var text = form.querySelector("textarea[name=text]").value;
    if (hasPhoto) {
      // Photos are too large to keep in the browser: the photo stays chosen in the
      // form and goes up once the connection is back; the text is kept now.
      status.textContent = form.getAttribute("data-label-photo-offline");
    }
    if (!text.trim()) {
      if (!hasPhoto) {
        status.textContent = form.getAttribute("data-label-empty");
        status.classList.add("error");
      }
      return;
    }
    status.classList.remove("error");
    var note = { text: text, written_at: localNow(), client_key: newKey() };
    var list = queued();
    list.push(note);
    keep(list);
    form.querySelector("textarea[name=text]").value = "";
    if (navigator.onLine) {
      flush();
    } else if (!hasPhoto) {
      status.textContent = form.getAttribute("data-label-queued");
    }
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
  if (queued().length) {
    if (navigator.onLine) {
      flush();
    } else {
      status.textContent = form.getAttribute("data-label-queued");
    }
  }
})();
