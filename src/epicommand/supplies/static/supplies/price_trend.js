// The price board's trend (#price-trend, data in #price-trend-data): one line per district
// of the commodity's average retail price over the last 30 days. District names reach the
// tooltip HTML through EpiCommand.escapeHtml.
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("price-trend");
    var source = document.getElementById("price-trend-data");
    if (!node || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(node);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          var lines = [points.length ? points[0].axisValue : ""];
          points.forEach(function (p) {
            if (p.value !== null && p.value !== undefined) {
              lines.push(p.seriesName + ": " + p.value + " " + data.labels.price);
            }
          });
          return window.EpiCommand.htmlLines(lines);
        }
      },
      legend: { type: "scroll" },
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", name: data.labels.price, scale: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: true, data: s.prices };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
