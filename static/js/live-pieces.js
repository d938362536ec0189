// The pieces of a baked page that change between publications (a home page's latest
// replies and mailbox figures) are loaded from the open API when the page is shown.
// The page carries their state at the bake, so without script it still reads well.
// A live board (data-live-board) refreshes itself: static/js/live-boards.js.
(function () {
  "use strict";

  function text(value, suffix) {
    return value === null || value === undefined ? "—" : String(value) + (suffix || "");
  }

  function day(iso) {
    return iso ? iso.slice(0, 10) : "";
  }

  function fillMailbox(section, data) {
    var set = function (name, value) {
      var node = section.querySelector('[data-live="' + name + '"]');
      if (node) node.textContent = value;
    };
    set("received", text(data.figures.received, " 件"));
    set("replied", text(data.figures.replied, " 件"));
    set("on_time_rate", text(data.figures.on_time_rate, "%"));
    set("satisfaction", text(data.figures.satisfaction, "%"));
    var list = section.querySelector('[data-live="replies"]');
    var empty = section.querySelector('[data-live="no-replies"]');
    if (!list) return;
    list.textContent = "";
    data.replies.forEach(function (reply) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = reply.url;
      link.textContent = reply.title;
      var unit = document.createElement("span");
      unit.className = "source";
      unit.textContent = reply.unit;
      var time = document.createElement("time");
      time.dateTime = reply.replied_at || "";
      time.textContent = day(reply.replied_at);
      item.append(link, " ", unit, " ", time);
      list.appendChild(item);
    });
    list.hidden = data.replies.length === 0;
    if (empty) empty.hidden = data.replies.length > 0;
  }

  function load(section) {
    var source = section.getAttribute("data-live-src");
    if (!source || !window.fetch) return;
    fetch(source, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.figures) fillMailbox(section, data); })
      .catch(function () { /* the baked state stays */ });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-src]:not([data-live-board])"), load);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
