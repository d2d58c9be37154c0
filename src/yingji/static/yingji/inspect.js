// The inspector's phone page: one screen per checklist item. A finding is sent at once
// when there is a connection; without one it is kept in the browser (with its client key)
// and sent when the connection returns, and the page lists what is waiting. The server
// keeps one finding per client key, so a finding sent again is harmless.
(function () {
  "use strict";

  var root = document.getElementById("inspect");
  if (!root) {
    return;
  }
  var storeKey = root.getAttribute("data-offline-key");
  var forms = Array.prototype.slice.call(root.querySelectorAll("form.finding-form"));
  var nav = root.querySelector(".inspect-steps");
  var current = 0;

  function label(name) {
    return root.getAttribute("data-label-" + name) || "";
  }

  // --- one screen per item ------------------------------------------------------------
  function show(index) {
    current = Math.max(0, Math.min(index, forms.length - 1));
    forms.forEach(function (form, i) { form.hidden = i !== current; });
    document.getElementById("inspect-step").textContent = label("step")
      .replace("%(n)s", String(current + 1)).replace("%(total)s", String(forms.length));
    document.getElementById("inspect-prev").disabled = current === 0;
    document.getElementById("inspect-next").disabled = current === forms.length - 1;
  }

  function firstToShow() {
    var wanted = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    var withError = root.querySelector("form.finding-form .error");
    if (withError) {
      return forms.indexOf(withError.closest("form"));
    }
    if (wanted && forms.indexOf(wanted) >= 0) {
      var after = forms.indexOf(wanted) + 1;
      return after < forms.length ? after : forms.indexOf(wanted);
    }
    for (var i = 0; i < forms.length; i++) {
      if (!forms[i].getAttribute("data-answered")) {
        return i;
      }
    }
    return 0;
  }

  function showProblemPart(form) {
    var chosen = form.querySelector("input[name=result]:checked");
    var fixed = form.querySelector("input[type=hidden][name=result]");
    var problem = fixed ? true : !!(chosen && chosen.value === "problem");
    var part = form.querySelector(".problem-part");
    if (part) {
      part.hidden = !problem;
    }
    var action = form.querySelector("input[name=risk_action]:checked");
    var update = !!(action && action.value === "update");
    Array.prototype.forEach.call(form.querySelectorAll(".update-only"), function (el) { el.hidden = !update; });
    Array.prototype.forEach.call(form.querySelectorAll(".new-only"), function (el) { el.hidden = update; });
  }

  forms.forEach(function (form) {
    form.addEventListener("change", function () { showProblemPart(form); });
    showProblemPart(form);
  });

  if (nav && forms.length > 1) {
    nav.hidden = false;
    document.getElementById("inspect-prev").addEventListener("click", function () { show(current - 1); });
    document.getElementById("inspect-next").addEventListener("click", function () { show(current + 1); });
    show(firstToShow());
  }

  // --- findings that survive a lost connection -----------------------------------------
  function queued() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function keep(list) {
    window.localStorage.setItem(storeKey, JSON.stringify(list));
    showWaiting();
  }

  function showWaiting() {
    var list = queued();
    var box = document.getElementById("inspect-waiting-box");
    var ul = document.getElementById("inspect-waiting");
    ul.textContent = "";
    list.forEach(function (entry) {
      var li = document.createElement("li");
      li.textContent = entry.label + (entry.result_label ? "：" + entry.result_label : "");
      ul.appendChild(li);
    });
    box.hidden = !list.length;
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

  function csrf() {
    return root.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  // Refused (4xx): the messages to show; sent: null; no connection: the promise rejects.
  function send(data) {
    return fetch(window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.ok) {
        return null;
      }
      if (response.status >= 400 && response.status < 500) {
        return response.json().then(function (body) {
          return (body.errors || []).map(function (e) { return e.message; });
        }, function () { return [String(response.status)]; });
      }
      throw new Error("server: " + response.status);
    });
  }

  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.disabled || el.name === "csrfmiddlewaretoken") {
        return;
      }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        return;
      }
      if (el.closest("[hidden]") && el.type !== "hidden") {
        return;
      }
      fields[el.name] = el.value;
    });
    return fields;
  }

  function formData(fields) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf());
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    return data;
  }

  var flushing = false;
  function flush() {
    var list = queued();
    if (flushing || !list.length || !navigator.onLine) {
      return;
    }
    flushing = true;
    var entry = list[0];
    send(formData(entry.fields)).then(function (refused) {
      keep(queued().filter(function (e) { return e.fields.client_key !== entry.fields.client_key; }));
      flushing = false;
      if (refused) {
        var form = document.getElementById(entry.form);
        var status = form ? form.querySelector(".finding-status") : null;
        if (status) {
          status.textContent = refused.join(" ");
          status.classList.add("error");
        }
      }
      if (queued().length) {
        flush();
      } else if (!refused) {
        window.location.reload();
      }
    }).catch(function () {
      flushing = false;
    });
  }

  function next(form) {
    var index = forms.indexOf(form);
    if (nav && !nav.hidden && index < forms.length - 1) {
      show(index + 1);
    }
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector(".finding-status");
      status.classList.remove("error");
      var chosen = form.querySelector("input[name=result]:checked");
      var fixed = form.querySelector("input[type=hidden][name=result]");
      if (!chosen && !fixed) {
        status.textContent = label("choose");
        status.classList.add("error");
        return;
      }
      form.querySelector("input[name=client_key]").value = newKey();
      form.querySelector("input[name=written_at]").value = localNow();
      var fields = fieldsOf(form);
      var photo = form.querySelector("input[type=file]");
      var hasPhoto = !!(photo && photo.files && photo.files.length);
      var entry = {
        form: form.id,
        label: form.getAttribute("data-label"),
        result_label: chosen ? chosen.parentNode.textContent.trim() : "",
        fields: fields
      };
      function park() {
        var list = queued();
        list.push(entry);
        keep(list);
        status.textContent = label(hasPhoto ? "photo-offline" : "queued");
        form.setAttribute("data-answered", "1");
        next(form);
      }
      if (!navigator.onLine) {
        park();
        return;
      }
      var data = formData(fields);
      if (hasPhoto) {
        Array.prototype.forEach.call(photo.files, function (file) { data.append("photos", file); });
      }
      send(data).then(function (refused) {
        if (refused) {
          status.textContent = refused.join(" ");
          status.classList.add("error");
          return;
        }
        status.textContent = label("recorded");
        form.setAttribute("data-answered", "1");
        form.reset();
        showProblemPart(form);
        next(form);
      }).catch(park);
    });
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
  showWaiting();
  flush();
})();
