// Draws the round's hourly progress (#round-chart-data, inside the figures panel): the
// samples taken each hour as bars and the running total as a line. The panel refreshes
// through htmx, so the chart redraws after each swap.
(function () {
  "use strict";

  var chart = null;

  function draw() {
    var node = document.getElementById("round-chart");
    var source = document.getElementById("round-chart-data");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    chart = chart || window.echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.hours },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [
        { name: data.labels.sampled, type: "bar", data: data.sampled, color: "#0b5cad" },
        {
          name: data.labels.cumulative,
          type: "line",
          yAxisIndex: 1,
          data: data.cumulative,
          color: "#1e7a34"
        }
      ]
    });
  }

  function start() {
    draw();
    window.addEventListener("resize", function () { if (chart) chart.resize(); });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "round-figures") draw();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
