// Completeness charts of /reports/dashboard/. The numbers come from the page's
// <script type="application/json" id="dashboard-data"> (json_script), so the CSP can keep
// forbidding inline scripts. Chart.js is vendored in static/vendor/chartjs/.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  // Bootstrap's success / warning / danger, as the badges of the tables.
  var colors = { on_time: "#198754", late: "#ffc107", missing: "#dc3545" };
  var keys = ["on_time", "late", "missing"];

  function draw(canvasId, series) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !series.labels.length) {
      return;
    }
    // One bar per row: the box grows with the number of communes.
    canvas.parentElement.style.height = Math.max(140, series.labels.length * 28 + 70) + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: keys.map(function (key) {
          return { label: data.legend[key], data: series[key], backgroundColor: colors[key] };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  draw("chart-by-kind", data.by_kind);
  draw("chart-by-commune", data.by_commune);
});
