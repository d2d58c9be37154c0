// On a narrow screen the menu folds behind a button; without script it stays open.
(function () {
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("menu");
  if (!button || !menu) {
    return;
  }
  button.hidden = false;
  document.documentElement.classList.add("menu-folds");
  button.addEventListener("click", function () {
    var open = menu.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
