// Print buttons on documents and ledgers: printing needs script, so without it they stay
// hidden (the browser's own Print still works, with the same print style).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
