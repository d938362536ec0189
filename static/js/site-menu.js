// The site menu behind one button on narrow screens. Without this script the menu
// simply stays open (the button is hidden), so it always works; the script only
// collapses it and lets the button open and close it.
(function () {
  function init() {
    var button = document.querySelector("[data-menu-toggle]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    var root = document.documentElement;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    }
    set(false);
    button.hidden = false;
    root.classList.add("menu-ready");
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent !== null) {
        set(false);
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
