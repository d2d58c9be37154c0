// Copy buttons beside read-only fields (a calendar feed link). Copying needs script and
// the clipboard API (a secure context), so without them the button stays hidden and the
// field is selected and copied by hand.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field) {
      return;
    }
    field.addEventListener("focus", function () {
      field.select();
    });
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          if (status) {
            status.textContent = button.getAttribute("data-copied");
          }
        },
        function () {
          field.focus();
          field.select();
          if (status) {
            status.textContent = button.getAttribute("data-failed");
          }
        }
      );
    });
  });
})();
