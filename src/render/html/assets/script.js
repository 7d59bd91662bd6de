// prcov HTML report: theme switch, sorting and filtering of tables, keyboard navigation between
// uncovered lines, and unfolding around a linked line. Nothing is fetched.
(function () {
  "use strict";
  var theme = new URLSearchParams(location.search).get("theme");
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;

  function cellValue(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim().toLowerCase() : parseFloat(v);
  }
  function compare(col, dir) {
    return function (a, b) {
      var x = cellValue(a, col), y = cellValue(b, col);
      if (typeof x === "number" && isNaN(x)) x = -1;
      if (typeof y === "number" && isNaN(y)) y = -1;
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    };
  }
  // A tree table keeps each row under its parent directory: siblings are sorted, not all rows.
  function sortTable(table, col, dir) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (!table.classList.contains("tree")) {
      rows.sort(compare(col, dir)).forEach(function (r) { body.appendChild(r); });
      return;
    }
    var children = {};
    rows.forEach(function (r) {
      var p = r.getAttribute("data-parent") || "";
      (children[p] = children[p] || []).push(r);
    });
    (function place(parent) {
      (children[parent] || []).sort(compare(col, dir)).forEach(function (r) {
        body.appendChild(r);
        if (r.classList.contains("dir")) place(r.getAttribute("data-path"));
      });
    })("");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        sortTable(table, col, dir);
      });
    });
  });
  // Filter: a row shows when its path contains the text, and so do the directories above it.
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var byPath = {};
      rows.forEach(function (r) { byPath[r.getAttribute("data-path")] = r; r.hidden = q !== ""; });
      if (q === "") return;
      rows.forEach(function (r) {
        if ((r.getAttribute("data-path") || "").toLowerCase().indexOf(q) < 0) return;
        r.hidden = false;
        for (var p = byPath[r.getAttribute("data-parent")]; p; p = byPath[p.getAttribute("data-parent")]) p.hidden = false;
      });
    });
  });

  // Source pages: unfold around the linked line; n / p go to the next / previous uncovered line.
  function reveal(el) {
    for (var d = el && el.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  }
  function revealHash() {
    if (location.hash.length > 1) {
      var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (el) { reveal(el); el.scrollIntoView({ block: "center" }); }
    }
  }
  window.addEventListener("hashchange", revealHash);
  revealHash();
  var marks = Array.prototype.slice.call(document.querySelectorAll(".ln.miss, .ln.partial, .ln.failed"));
  var current = -1;
  function go(step) {
    if (!marks.length) return;
    if (current < 0 && location.hash) {
      var at = marks.findIndex(function (m) { return "#" + m.id === location.hash; });
      if (at >= 0) current = at;
    }
    current = current < 0 ? (step > 0 ? 0 : marks.length - 1) : (current + step + marks.length) % marks.length;
    history.replaceState(null, "", "#" + marks[current].id);
    reveal(marks[current]);
    marks[current].scrollIntoView({ block: "center" });
    document.querySelectorAll(".ln.current").forEach(function (l) { l.classList.remove("current"); });
    marks[current].classList.add("current");
  }
  document.addEventListener("keydown", function (e) {
    if ((e.target.matches && e.target.matches("input, textarea")) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "n" || e.key === "j") go(1);
    else if (e.key === "p" || e.key === "k") go(-1);
  });
  document.querySelectorAll("button[data-go]").forEach(function (b) {
    b.addEventListener("click", function () { go(parseInt(b.getAttribute("data-go"), 10)); });
  });
  function unfoldAll() {
    document.querySelectorAll("details.fold").forEach(function (d) { d.open = true; });
  }
  var unfold = document.getElementById("unfold-all");
  if (unfold) unfold.addEventListener("click", unfoldAll);
  // On paper nothing can be clicked open: print every line.
  window.addEventListener("beforeprint", unfoldAll);
})();
