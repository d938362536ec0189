// The reader's choice of the large-text, high-contrast mode is kept in their own
// browser, so the published page stays the same for everyone.
(function () {
  var KEY = "reading-mode";
  var root = document.documentElement;
  try { if (localStorage.getItem(KEY) === "elder") root.classList.add("elder"); } catch (e) {}
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-reading-mode]");
    function sync() {
      var on = root.classList.contains("elder");
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); b.textContent = on ? "标准模式" : "长者模式"; });
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        root.classList.toggle("elder");
        try { localStorage.setItem(KEY, root.classList.contains("elder") ? "elder" : "standard"); } catch (e) {}
        sync();
      });
    });
    sync();
  });
})();
