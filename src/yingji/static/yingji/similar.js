// Similar cases while typing, on the intake page: what the form holds so far is sent (by
// POST, with the page's CSRF token) a moment after the clerk stops typing, and the
// existing cases like it are shown beside the form, before anything is registered.
// Without script the page works as before: the case page lists them after registering.
(function () {
  var box = document.querySelector("[data-similar-url]");
  if (!box) {
    return;
  }
  var form = box.closest("form") || document.querySelector("form");
  var result = box.querySelector("[data-similar-result]");
  var url = box.getAttribute("data-similar-url");
  var names = ["request", "facts", "category", "region_code", "place", "phone", "id_number"];
  var timer = null;
  var sent = "";
  var latest = 0;

  function payload() {
    var data = new FormData();
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (token) {
      data.append("csrfmiddlewaretoken", token.value);
    }
    names.forEach(function (name) {
      var field = form.elements[name];
      if (field) {
        data.append(name, field.value);
      }
    });
    return data;
  }

  function look() {
    var data = payload();
    var key = names.map(function (name) { return data.get(name) || ""; }).join("\u0001");
    if (key === sent) {
      return;
    }
    sent = key;
    var mine = ++latest;
    box.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== latest) {
          return;  // an older answer arriving after a newer one
        }
        result.innerHTML = html;
        box.hidden = false;
      })
      .catch(function () { /* the lookup is a help; the form works without it */ })
      .then(function () { box.removeAttribute("aria-busy"); });
  }

  names.forEach(function (name) {
    var field = form.elements[name];
    if (!field) {
      return;
    }
    ["input", "change"].forEach(function (kind) {
      field.addEventListener(kind, function () {
        clearTimeout(timer);
        timer = setTimeout(look, 700);
      });
    });
  });
})();
