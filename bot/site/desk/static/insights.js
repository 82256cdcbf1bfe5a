/* The insights page's charts (bot/site/desk/insights.py). Plain JS, no build step.
 *
 * The numbers are in the page as data (<script type="application/json" id="insights-charts">, which
 * the browser does not run, so the Content-Security-Policy allows it); Chart.js (vendor/, loaded
 * before this file) draws each <canvas data-chart="name">. Every chart's numbers are also a table
 * under it, which is what screen readers read: the canvas is one image with a label.
 */
(function () {
  "use strict";

  const source = document.getElementById("insights-charts");
  if (!source || typeof window.Chart !== "function") return;
  const drawings = JSON.parse(source.textContent);
  // Colours that keep 3:1 against white and apart for the common colour blindnesses.
  const COLOURS = ["#1f5fa8", "#b35900", "#2e7d32", "#b3261e", "#6b6b6b", "#6a3d9a"];
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const LONGEST_LABEL = 48;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";

  // A chart in minutes (the time to a first reply) reads, like its table, as hours and minutes.
  function clockTime(minutes) {
    return Math.floor(minutes / 60) + ":" + String(Math.round(minutes % 60)).padStart(2, "0");
  }

  // Ticks on whole quarters, hours or days rather than at 200 minutes ("3:20").
  const CLOCK_STEPS = [1, 5, 15, 30, 60, 120, 240, 360, 720, 1440, 2880, 10080];
  function clockStep(drawing) {
    const values = drawing.series.flatMap((series) => series.values).filter((value) => value !== null);
    const largest = Math.max(1, ...values);
    return CLOCK_STEPS.find((step) => largest / step <= 8) || CLOCK_STEPS[CLOCK_STEPS.length - 1];
  }

  function shortened(label) {
    return label.length > LONGEST_LABEL ? label.slice(0, LONGEST_LABEL - 1) + "…" : label;
  }

  function config(drawing) {
    const kind = drawing.kind;
    const horizontal = kind === "hbar" || kind === "stacked";
    const doughnut = kind === "doughnut";
    const datasets = drawing.series.map((series, index) => ({
      label: series.label,
      data: series.values,
      backgroundColor: doughnut ? COLOURS : COLOURS[index % COLOURS.length],
      borderColor: doughnut ? "#fff" : COLOURS[index % COLOURS.length],
      borderWidth: kind === "line" ? 2 : 1,
      pointRadius: kind === "line" ? 2 : undefined,
      fill: false,
      maxBarThickness: 32,
    }));
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : undefined,
      plugins: {
        legend: { display: doughnut || drawing.series.length > 1, position: "bottom" },
        tooltip: { callbacks: { title: (items) => (items.length ? drawing.labels[items[0].dataIndex] : "") } },
      },
    };
    const minutes = drawing.unit === "minutes";
    if (minutes) {
      options.plugins.tooltip.callbacks.label = (item) => item.dataset.label + ": " + clockTime(item.parsed.y);
      // A reply at once (0:00) is a value: a sliver of a bar, not nothing.
      for (const dataset of datasets) dataset.minBarLength = 3;
    }
    if (!doughnut) {
      const stacked = kind === "stacked";
      const counts = { beginAtZero: true, stacked, ticks: { precision: 0 } };
      if (minutes) {
        counts.ticks.callback = (value) => clockTime(value);
        counts.ticks.stepSize = clockStep(drawing);
      }
      const labels = { stacked, ticks: { callback: function (value) { return shortened(this.getLabelForValue(value)); } } };
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = horizontal ? { x: counts, y: labels } : { x: labels, y: counts };
    }
    return {
      type: doughnut ? "doughnut" : kind === "line" ? "line" : "bar",
      data: { labels: drawing.labels, datasets },
      options,
    };
  }

  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const drawing = drawings[canvas.dataset.chart];
    if (drawing) new Chart(canvas, config(drawing));
  }
})();
