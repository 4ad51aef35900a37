// The case's trajectory on a map: one point per visit with a known location (a place, a
// checkpoint), on longitude/latitude axes, without any tile server. Orange: found
// automatically and not yet confirmed; green: confirmed. The table beside it says the same.
(function () {
  "use strict";

  var COLOUR = { suggested: "#f79009", confirmed: "#12b76a" };

  function start() {
    var node = document.getElementById("case-map");
    var source = document.getElementById("case-map-config");
    if (!node || !source || !window.echarts) return;
    var config = JSON.parse(source.textContent);
    if (!config.points.length) {
      node.hidden = true;
      var empty = document.getElementById("case-map-empty");
      empty.textContent = config.labels.empty;
      empty.hidden = false;
      return;
    }
    var chart = window.echarts.init(node);
    var series = ["suggested", "confirmed"].map(function (status) {
      return {
        name: config.labels[status],
        type: "scatter",
        symbolSize: 12,
        itemStyle: { color: COLOUR[status] },
        data: config.points.filter(function (p) { return p.status === status; })
      };
    });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          return window.EpiCommand.escapeHtml(params.data.at + " " + params.data.name);
        }
      },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "value", scale: true, name: "lng" },
      yAxis: { type: "value", scale: true, name: "lat" },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
