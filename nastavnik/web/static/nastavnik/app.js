/* Nastavnik — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // A click anywhere on a table row with data-href opens that row's page
  // (the row also holds a real link for keyboards and screen readers).
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, label, select")) return;
    if (window.getSelection && String(window.getSelection())) return;
    if (event.metaKey || event.ctrlKey) {
      window.open(row.dataset.href, "_blank");
    } else {
      window.location.href = row.dataset.href;
    }
  });

  var CHANNEL_COLOURS = {
    call: "#8b5cf6",
    chat: "#3b82f6",
    email: "#f59e0b",
    messenger: "#10b981"
  };

  // Bar chart of conversations by channel; data comes from a json_script element.
  function drawChannelChart(canvas) {
    if (typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: canvas.dataset.label || "",
          data: data.counts,
          backgroundColor: data.channels.map(function (c) { return CHANNEL_COLOURS[c] || "#94a3b8"; }),
          borderRadius: 6,
          maxBarThickness: 56
        }]
      },
      options: {
        locale: document.documentElement.lang === "ru" ? "ru-RU" : "en-GB",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#5d6b7e" } },
          y: {
            beginAtZero: true,
            ticks: { precision: 0, color: "#8a96a8" },
            grid: { color: "#eef1f5" },
            border: { display: false }
          }
        }
      }
    });
  }

  // File drop zone: show the chosen file's name and highlight while dragging.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("dropzone-input")) return;
    var zone = input.closest(".dropzone");
    var label = zone.querySelector("[data-file-name]");
    if (!label.dataset.empty) label.dataset.empty = label.textContent;
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    label.textContent = names.length ? names.join(", ") : label.dataset.empty;
    zone.classList.toggle("has-file", names.length > 0);
  });
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = event.target.closest && event.target.closest(".dropzone");
      if (zone) zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = event.target.closest && event.target.closest(".dropzone");
      if (zone) zone.classList.remove("dragging");
    });
  });

  // Weekly average scores: auto-QA and people, gaps where a week has no evaluation.
  function drawTrendChart(canvas) {
    if (typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var weeks = JSON.parse(source.textContent);
    var ru = document.documentElement.lang === "ru";
    var labels = weeks.map(function (w) {
      return new Date(w.week + "T00:00:00").toLocaleDateString(ru ? "ru-RU" : "en-GB", { day: "numeric", month: "short" });
    });
    function series(kind) {
      return weeks.map(function (w) { return w[kind] === undefined ? null : w[kind]; });
    }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: canvas.dataset.labelAuto, data: series("auto"), borderColor: "#2f6fed",
            backgroundColor: "#2f6fed", tension: 0.25, spanGaps: true, pointRadius: 3 },
          { label: canvas.dataset.labelManual, data: series("manual"), borderColor: "#b45309",
            backgroundColor: "#b45309", tension: 0.25, spanGaps: true, pointRadius: 4,
            borderDash: [6, 4] }
        ]
      },
      options: {
        locale: ru ? "ru-RU" : "en-GB",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { grid: { display: false }, ticks: { color: "#5d6b7e" } },
          y: { min: 0, max: 100, ticks: { color: "#8a96a8", callback: function (v) { return v + "%"; } },
               grid: { color: "#eef1f5" }, border: { display: false } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart='channels']").forEach(drawChannelChart);
    document.querySelectorAll("canvas[data-chart='trend']").forEach(drawTrendChart);
  });
})();
