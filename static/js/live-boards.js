// Live boards (flights, trains, ships; a utility's notices): the page carries the rows as the server
// rendered them; while it is shown this script asks the open JSON (data-live-src)
// about every second and rewrites only the cells that changed, so focus and scroll
// stay where the reader left them. A hidden page asks every 30 s; an unchanged board
// answers 304 (If-None-Match); a 429 or an error waits before asking again.
// Changes are said once, politely, in the board's aria-live region.
(function () {
  "use strict";

  var VISIBLE_EVERY = 1000;
  var HIDDEN_EVERY = 30000;
  var LONGEST_WAIT = 120000;
  var MOST_SAID = 3;

  function cellOf(key, label, row) {
    var value = row.display[key] || "";
    var cell;
    if (key === "number") {
      cell = document.createElement("th");
      cell.scope = "row";
      var number = document.createElement("span");
      number.className = "live-number";
      number.textContent = value;
      cell.appendChild(number);
      if (row.operator) {
        var operator = document.createElement("span");
        operator.className = "live-operator";
        operator.textContent = row.operator;
        cell.append(" ", operator);
      }
    } else if (key === "status") {
      cell = document.createElement("td");
      var status = document.createElement("span");
      status.className = "live-status live-status-" + row.status;
      status.textContent = value;
      cell.appendChild(status);
    } else {
      cell = document.createElement("td");
      cell.textContent = value;
    }
    cell.setAttribute("data-col", key);
    cell.setAttribute("data-label", label);
    return cell;
  }

  function rowOf(columns, row) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-id", row.id);
    tr.setAttribute("data-headline", row.headline);
    tr.className = "live-row live-row-" + row.status;
    columns.forEach(function (column) { tr.appendChild(cellOf(column.key, column.label, row)); });
    return tr;
  }

  // Replace a row's cells only where they read differently, so a focused or
  // selected cell elsewhere is left alone.
  function refreshRow(tr, columns, row) {
    var fresh = rowOf(columns, row);
    tr.className = fresh.className;
    tr.setAttribute("data-headline", row.headline);
    // A copy: moving a cell into the row takes it out of ``fresh.children``.
    Array.prototype.slice.call(fresh.children).forEach(function (cell, index) {
      var old = tr.children[index];
      if (!old) tr.appendChild(cell);
      else if (old.innerHTML !== cell.innerHTML) tr.replaceChild(cell, old);
    });
  }

  function Board(root) {
    this.root = root;
    this.src = root.getAttribute("data-live-src");
    this.kind = root.getAttribute("data-live-board") || "trips";
    this.visibleEvery = (parseFloat(root.getAttribute("data-live-every")) || VISIBLE_EVERY / 1000) * 1000;
    this.shownNotices = null;
    this.body = root.querySelector('[data-live="rows"]');
    if (this.kind !== "trips") return;
    this.columns = Array.prototype.map.call(root.querySelectorAll("thead th[data-col]"), function (th) {
      return { key: th.getAttribute("data-col"), label: th.textContent.trim() };
    });
    this.said = {};
    this.etag = null;
    this.wait = 0;
    this.timer = null;
    var self = this;
    Array.prototype.forEach.call(this.body.querySelectorAll("tr[data-id]"), function (tr) {
      self.said[tr.getAttribute("data-id")] = tr.getAttribute("data-headline");
    });
  }

  Board.prototype.part = function (name) {
    return this.root.querySelector('[data-live="' + name + '"]');
  };

  Board.prototype.render = function (data) {
    var self = this;
    var existing = {};
    Array.prototype.forEach.call(this.body.querySelectorAll("tr[data-id]"), function (tr) {
      existing[tr.getAttribute("data-id")] = tr;
    });
    var changes = [];
    var previous = null;
    data.rows.forEach(function (row) {
      var tr = existing[row.id];
      if (tr) {
        refreshRow(tr, self.columns, row);
        delete existing[row.id];
      } else {
        tr = rowOf(self.columns, row);
      }
      // Keep the server's order, moving a row only when it is out of place.
      var wanted = previous ? previous.nextSibling : self.body.firstChild;
      if (wanted !== tr) self.body.insertBefore(tr, wanted);
      previous = tr;
      var before = self.said[row.id];
      if (before !== undefined && before !== row.headline) changes.push(row.headline);
      self.said[row.id] = row.headline;
    });
    Object.keys(existing).forEach(function (id) {
      existing[id].remove();
      delete self.said[id];
    });
    var empty = this.part("empty");
    if (empty) empty.hidden = data.rows.length > 0;
    var silence = this.part("silence");
    if (silence) {
      silence.textContent = data.silence || "";
      silence.hidden = !data.silence;
    }
    var generated = this.part("generated");
    if (generated && data.generated_at) {
      generated.dateTime = data.generated_at;
      generated.textContent = data.generated_at.slice(11, 19);
    }
    this.announce(changes);
  };

  Board.prototype.announce = function (changes) {
    var region = this.part("announce");
    if (!region || !changes.length) return;
    var text = changes.slice(0, MOST_SAID).join(";");
    if (changes.length > MOST_SAID) text += ";另有 " + (changes.length - MOST_SAID) + " 个班次有变化";
    region.textContent = text + "。";
  };

  // A notice as templates/livedata/includes/notice.html renders it.
  function noticeOf(notice, index) {
    var article = document.createElement("article");
    var id = "notice-" + notice.unit.code + "-" + (index + 1);
    article.className = "live-notice live-phase-" + notice.phase;
    article.setAttribute("aria-labelledby", id);
    var heading = document.createElement("h3");
    heading.id = id;
    var kind = document.createElement("span");
    kind.className = "live-kind";
    kind.textContent = notice.kind_label;
    var phase = document.createElement("span");
    phase.className = "live-phase";
    phase.textContent = notice.phase_label;
    heading.append(kind, " " + notice.title + " ", phase);
    article.appendChild(heading);
    var facts = document.createElement("dl");
    facts.className = "live-facts";
    var fact = function (term, text) {
      if (!text) return;
      var row = document.createElement("div");
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = text;
      row.append(dt, dd);
      facts.appendChild(row);
    };
    var when = notice.display.starts + " 至 " + notice.display.ends;
    if (notice.display.restored) when += "(" + notice.display.restored + " 已恢复)";
    fact("时间", when);
    var area = notice.districts.join("、") + (notice.districts.length && notice.streets.length ? ":" : "") +
      notice.streets.join("、");
    fact("影响范围", area);
    fact("原因", notice.reason);
    fact("咨询电话", notice.contact);
    article.appendChild(facts);
    if (notice.details) {
      var details = document.createElement("p");
      details.className = "live-details";
      details.textContent = notice.details;
      article.appendChild(details);
    }
    if (notice.updates.length) {
      var title = document.createElement("h4");
      title.className = "live-updates-title";
      title.textContent = "进展";
      var list = document.createElement("ol");
      list.className = "live-updates";
      notice.updates.forEach(function (update) {
        var item = document.createElement("li");
        var time = document.createElement("time");
        time.dateTime = update.at;
        time.textContent = update.at.slice(5, 10) + " " + update.at.slice(11, 16);
        item.append(time, " " + update.text);
        list.appendChild(item);
      });
      article.append(title, list);
    }
    return article;
  }

  // Notices change seldom and hold nothing to focus: the list is rebuilt when it differs.
  Board.prototype.renderNotices = function (notices) {
    var text = JSON.stringify(notices);
    if (text === this.shownNotices) return;
    this.shownNotices = text;
    var list = this.part("notices");
    list.textContent = "";
    notices.forEach(function (notice, index) { list.appendChild(noticeOf(notice, index)); });
    var empty = this.part("empty");
    if (empty) empty.hidden = notices.length > 0;
  };

  Board.prototype.next = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.load(); }, delay);
  };

  Board.prototype.every = function () {
    return document.hidden ? HIDDEN_EVERY : this.visibleEvery;
  };

  Board.prototype.load = function () {
    var self = this;
    var headers = { Accept: "application/json" };
    if (this.etag) headers["If-None-Match"] = this.etag;
    fetch(this.src, { headers: headers, credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (response.status === 429) {
          var after = parseInt(response.headers.get("Retry-After"), 10);
          self.wait = Math.min(LONGEST_WAIT, (after > 0 ? after : 60) * 1000);
          return null;
        }
        if (response.status === 304) {
          self.wait = 0;
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        self.etag = response.headers.get("ETag");
        self.wait = 0;
        return response.json();
      })
      .then(function (data) {
        if (data && data.rows) self.render(data);
        else if (data && data.notices) self.renderNotices(data.notices);
      })
      .catch(function () {
        self.wait = Math.min(LONGEST_WAIT, Math.max(2000, self.wait * 2));
      })
      .then(function () { self.next(Math.max(self.wait, self.every())); });
  };

  function start() {
    if (!window.fetch) return;
    var list = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-board][data-live-src]"), function (root) {
      var board = new Board(root);
      list.push(board);
      board.load();
    });
    // Back from a hidden tab: ask at once instead of after the slow interval.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) list.forEach(function (board) { if (!board.wait) board.next(0); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
