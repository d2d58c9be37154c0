// The import review: pointing at a recognised element marks the lines it was read from.
(function () {
  "use strict";
  function mark(item, on) {
    const lines = (item.getAttribute("data-lines") || "").split(" ").filter(Boolean);
    lines.forEach(function (n) {
      const line = document.getElementById("src-" + n);
      if (line) line.classList.toggle("lit", on);
    });
    return lines;
  }
  document.querySelectorAll(".found li[data-lines]").forEach(function (item) {
    item.addEventListener("mouseenter", function () { mark(item, true); });
    item.addEventListener("mouseleave", function () { mark(item, false); });
    item.addEventListener("focusin", function () { mark(item, true); });
    item.addEventListener("focusout", function () { mark(item, false); });
    item.addEventListener("click", function (event) {
      const link = event.target.closest("a");
      if (!link) return;
      document.querySelectorAll(".source-lines .lit").forEach(function (line) {
        line.classList.remove("lit");
      });
      mark(item, true);
    });
  });
})();
