// Green, yellow and red health codes by district as stacked bars, from the figures the
// page carries (#colour-chart-data), which come from the counters.
(function () {
  "use strict";

  function draw() {
    var node = document.getElementById("colour-chart");
    if (!node || !window.echarts) return;
    var data = JSON.parse(document.getElementById("colour-chart-data").textContent);
    var chart = window.echarts.init(node);
    function series(key, colour) {
      return { name: data.labels[key], type: "bar", stack: "codes", data: data[key], color: colour };
    }
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: {
        type: "category",
        data: data.counties,
        axisLabel: { interval: 0, rotate: data.counties.length > 6 ? 40 : 0 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [series("green", "#1e7a34"), series("yellow", "#e0a100"), series("red", "#b42318")]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
