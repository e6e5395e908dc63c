/* Planned against actual hours over the period (Chart.js); the table below has the same figures. */
(function () {
  "use strict";
  var canvas = document.getElementById("progress-chart");
  var source = document.getElementById("chart-data");
  if (!canvas || !source || !window.Chart) return;
  var rows = JSON.parse(source.textContent);
  var labels = window.WPL_CHART_LABELS || {};
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(function (r) { return r.week; }),
      datasets: [
        { label: labels.planned, data: rows.map(function (r) { return r.planned; }), borderColor: "#8a96a3", borderDash: [6, 4], pointRadius: 0 },
        { label: labels.actual, data: rows.map(function (r) { return r.actual; }), borderColor: "#1f4e79", pointRadius: 0 },
        { label: labels.approved, data: rows.map(function (r) { return r.approved; }), borderColor: "#2e7d32", pointRadius: 0 }
      ]
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
  });
})();
