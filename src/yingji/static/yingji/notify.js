// Live notifications: the bell's count and, on the list page, new items at the top,
// pushed over Server-Sent Events (the browser reconnects and resumes by itself).
(function () {
  var bell = document.querySelector(".bell[data-stream]");
  if (!bell || !window.EventSource) {
    return;
  }
  var source = new EventSource(bell.getAttribute("data-stream"));
  source.addEventListener("notification", function (event) {
    var note = JSON.parse(event.data);
    var count = bell.querySelector(".count");
    if (!count) {
      count = document.createElement("span");
      count.className = "count";
      bell.appendChild(count);
    }
    count.textContent = String(note.unread);
    var list = document.getElementById("notification-list");
    if (!list) {
      return;
    }
    var empty = list.querySelector(".empty");
    if (empty) {
      empty.remove();
    }
    var item = document.createElement("li");
    item.className = note.urgent ? "urgent" : "";
    var title = document.createElement("strong");
    if (note.urgent) {
      var tag = document.createElement("span");
      tag.className = "tag warn";
      tag.textContent = list.getAttribute("data-label-urgent");
      title.appendChild(tag);
      title.appendChild(document.createTextNode(" "));
    }
    title.appendChild(document.createTextNode(note.title));
    item.appendChild(title);
    var when = document.createElement("small");
    when.textContent = " " + note.created_at;
    item.appendChild(when);
    if (note.body) {
      var body = document.createElement("p");
      body.className = "prose";
      body.textContent = note.body;
      item.appendChild(body);
    }
    if (note.link) {
      var open = document.createElement("a");
      open.href = note.link;
      open.textContent = list.getAttribute("data-label-open");
      item.appendChild(open);
    }
    if (note.urgent) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = note.acknowledge_url;
      form.className = "inline-form";
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = list.getAttribute("data-csrf");
      form.appendChild(token);
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "primary";
      button.textContent = list.getAttribute("data-label-acknowledge");
      form.appendChild(button);
      item.appendChild(form);
    }
    list.insertBefore(item, list.firstChild);
  });
})();
