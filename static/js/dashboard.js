// Completeness charts of /reports/dashboard/. The numbers come from the page's
// <script type="application/json" id="dashboard-data"> (json_script), so the CSP can keep
// forbidding inline scripts. Chart.js is vendored in static/vendor/chartjs/.
//
// Colour is never the only cue (WCAG 1.4.1): each series has its own fill pattern (solid,
// stripes, dots), shown in the legend too, and every bar segment carries its number. The
// table under each chart holds the same figures for screen readers and for reading.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  // Bootstrap's success / warning / danger, darkened to reach 3:1 against white.
  var colors = { on_time: "#146c43", late: "#b35c00", missing: "#b02a37" };
  var keys = ["on_time", "late", "missing"];

  // A fill of `color` with a white motif: none (on time), diagonal stripes (late), dots (missing).
  function pattern(key) {
    var size = 10;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = colors[key];
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(255, 255, 255, 0.75)";
    ctx.fillStyle = "rgba(255, 255, 255, 0.75)";
    ctx.lineWidth = 2;
    if (key === "late") {
      ctx.beginPath();
      ctx.moveTo(0, size);
      ctx.lineTo(size, 0);
      ctx.moveTo(-size / 2, size / 2);
      ctx.lineTo(size / 2, -size / 2);
      ctx.moveTo(size / 2, size * 1.5);
      ctx.lineTo(size * 1.5, size / 2);
      ctx.stroke();
    } else if (key === "missing") {
      ctx.beginPath();
      ctx.arc(size / 2, size / 2, 1.8, 0, 2 * Math.PI);
      ctx.fill();
    }
    return ctx.createPattern(tile, "repeat");
  }

  // Category names on several lines of at most `width` characters, so that a phone's narrow
  // axis shows them whole instead of cutting them off.
  function wrap(label, width) {
    var lines = [];
    var line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  // The count written inside each segment wide enough to hold it.
  var segmentLabels = {
    id: "segmentLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, index) {
        var meta = chart.getDatasetMeta(index);
        if (meta.hidden) {
          return;
        }
        meta.data.forEach(function (bar, i) {
          var value = dataset.data[i];
          var width = Math.abs(bar.x - bar.base);
          if (!value || width < 16) {
            return;
          }
          var text = String(value);
          var textWidth = ctx.measureText(text).width + 6;
          if (textWidth > width) {
            return;
          }
          // A dark box behind the digits keeps them readable over the white motif.
          ctx.fillStyle = colors[keys[index]];
          ctx.fillRect(bar.x - (bar.x - bar.base) / 2 - textWidth / 2, bar.y - 7, textWidth, 14);
          ctx.fillStyle = "#fff";
          ctx.fillText(text, bar.x - (bar.x - bar.base) / 2, bar.y);
        });
      });
      ctx.restore();
    },
  };

  function draw(canvasId, series) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !series.labels.length) {
      return;
    }
    var narrow = canvas.parentElement.clientWidth < 576;
    var labels = series.labels.map(function (label) {
      return wrap(label, narrow ? 16 : 36);
    });
    var lines = labels.reduce(function (most, label) { return Math.max(most, label.length); }, 1);
    // One bar per row, taller when names take several lines: the box grows with the rows.
    canvas.parentElement.style.height = Math.max(140, series.labels.length * (14 * lines + 16) + 80) + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: keys.map(function (key) {
          return { label: data.legend[key], data: series[key], backgroundColor: pattern(key),
                   borderColor: colors[key], borderWidth: 1 };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { autoSkip: false, font: { size: narrow ? 11 : 12 } } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { title: function (items) { return series.labels[items[0].dataIndex]; } } },
        },
      },
      plugins: [segmentLabels],
    });
  }

  draw("chart-by-kind", data.by_kind);
  draw("chart-by-commune", data.by_commune);
});
