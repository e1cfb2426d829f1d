/* Bar chart of the average mystery-shopper score per operator (data from json_script). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart='mystery-scores']").forEach(function (canvas) {
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
            data: data.scores,
            backgroundColor: "#2f6fed",
            borderRadius: 6,
            maxBarThickness: 48
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
            y: { beginAtZero: true, max: 100, ticks: { color: "#8a96a8" }, grid: { color: "#eef1f5" } }
          }
        }
      });
    });
  });
})();
