// Draws the capacity forecast (#forecast-data): the rooms left each day as a line, with
// the rooms planned releases free and the expected contacts as bars, and a line at zero.
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("forecast-chart");
    var source = document.getElementById("forecast-data");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(node);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value" },
      series: [
        { name: data.labels.released, type: "bar", data: data.released, color: "#1e7a34" },
        { name: data.labels.expected, type: "bar", data: data.expected, color: "#9a6700" },
        {
          name: data.labels.balance,
          type: "line",
          data: data.balance,
          color: "#0b5cad",
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: "#b42318", type: "dashed" },
            label: { formatter: data.labels.zero },
            data: [{ yAxis: 0 }]
          }
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
