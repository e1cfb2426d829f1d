/* Scorecard pages: small enhancements; every form works without this file. */
(function () {
  "use strict";

  // "N (points scale)" is only used with the points scale: dim it otherwise.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-scale]")) return;
    var field = select.closest(".criterion-editor").querySelector(".points-field");
    if (!field) return;
    if (select.value === "points") {
      field.removeAttribute("data-inactive");
    } else {
      field.setAttribute("data-inactive", "");
    }
  });

  // Publishing buttons ask first (forms with data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
