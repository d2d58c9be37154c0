// The plan editor: remove a row in the page; nothing is saved until the form is sent.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-remove-row]");
  if (button) {
    button.closest(".row").remove();
  }
});
