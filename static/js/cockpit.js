/* The progress cockpit: the submissions chart and "select all" for reminders. */
(function () {
  "use strict";

  // Bar widths come as data attributes: the CSP allows no inline style attributes.
  document.querySelectorAll(".progress[data-width]").forEach(function (bar) {
    bar.style.width = bar.dataset.width + "%";
  });

  const selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll(".unit-check").forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  const source = document.getElementById("progress-chart-data");
  const canvas = document.getElementById("progress-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);

  // Vertical dashed lines at the deadlines, labelled at the top.
  const deadlineLines = {
    id: "deadlineLines",
    afterDatasetsDraw: function (chart) {
      const x = chart.scales.x;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      data.deadlines.forEach(function (line, i) {
        const px = x.getPixelForValue(line.index);
        ctx.strokeStyle = "#b02a37";
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#b02a37";
        ctx.font = "12px system-ui, sans-serif";
        const width = ctx.measureText(line.label).width;
        const left = Math.min(px + 4, area.right - width - 2);
        ctx.fillText(line.label, left, area.top + 14 + i * 14);
      });
      ctx.restore();
    },
  };

  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.series_labels.submitted,
          data: data.submitted,
          borderColor: "#0d6efd",
          backgroundColor: "rgba(13, 110, 253, 0.12)",
          fill: true,
          stepped: true,
          borderWidth: 2.5,
          pointRadius: 0,
        },
        {
          label: data.series_labels.approved,
          data: data.approved,
          borderColor: "#198754",
          backgroundColor: "rgba(25, 135, 84, 0.15)",
          fill: true,
          stepped: true,
          borderWidth: 2.5,
          pointRadius: 0,
        },
        {
          label: data.series_labels.expected,
          data: data.labels.map(function () { return data.expected; }),
          borderColor: "#6c757d",
          borderDash: [3, 3],
          borderWidth: 1,
          pointRadius: 0,
          fill: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, suggestedMax: data.expected, ticks: { precision: 0 } },
        x: { ticks: { maxTicksLimit: 10, autoSkip: true } },
      },
      plugins: { legend: { position: "bottom" } },
    },
    plugins: [deadlineLines],
  });
})();
