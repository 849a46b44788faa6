/* Marks the cells a quality flag names, on the review and consolidation pages.
 *
 * Review page: every ".quality-review-flag[data-column]" outlines the cell
 * "td[data-column]" of the same column. Consolidation page: the JSON block
 * "quality-marks" lists [version, "table:column", message, blocking] for each
 * child's flags; the cell of that row (th[data-version]) and column is outlined. The message becomes the
 * cell's title; text is only ever set with textContent / attributes.
 */
(function () {
  "use strict";
  function mark(td, message, blocking) {
    if (!td) return;
    td.classList.add("border", "border-2", blocking ? "border-danger" : "border-warning", "quality-marked");
    td.title = td.title ? td.title + "\n" + message : message;
  }
  document.querySelectorAll(".quality-review-flag[data-column]").forEach(function (item) {
    if (!item.dataset.column) return;
    const message = item.querySelector(".quality-message").textContent;
    const blocking = !!item.querySelector(".text-bg-danger");
    document.querySelectorAll('td[data-column="' + CSS.escape(item.dataset.column) + '"]')
      .forEach(function (td) { mark(td, message, blocking); });
  });
  const data = document.getElementById("quality-marks");
  if (!data) return;
  JSON.parse(data.textContent).forEach(function ([version, cell, message, blocking]) {
    // The child has a row in every Biểu: the one holding the cell is marked.
    document.querySelectorAll('th[data-version="' + CSS.escape(String(version)) + '"]')
      .forEach(function (head) {
        mark(head.closest("tr").querySelector('td[data-cell="' + CSS.escape(cell) + '"]'), message, blocking);
      });
  });
})();
