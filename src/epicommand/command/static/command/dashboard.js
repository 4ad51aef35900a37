// Draws the dashboard's charts from the JSON the page carries (#dashboard-charts).
// Clicking a bar or a county opens the list behind it, as the figures above do.
(function () {
  "use strict";

  function draw() {
    var data = JSON.parse(document.getElementById("dashboard-charts").textContent);
    var axisLabel = { interval: 0, rotate: data.counties.length > 6 ? 40 : 0 };

    function chart(id, option, onClick) {
      var node = document.getElementById(id);
      if (!node || !window.echarts) return;
      var instance = window.echarts.init(node);
      instance.setOption(option);
      instance.on("click", onClick);
      window.addEventListener("resize", function () { instance.resize(); });
    }

    function go(url) { if (url) window.location.href = url; }

    chart("chart-tasks", {
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.counties, axisLabel: axisLabel },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.open, type: "bar", data: data.open.values },
        { name: data.labels.overdue, type: "bar", data: data.overdue.values, color: "#b42318" }
      ]
    }, function (params) {
      var urls = params.seriesIndex === 0 ? data.open.urls : data.overdue.urls;
      go(urls[params.dataIndex]);
    });

    chart("chart-persons", {
      tooltip: { trigger: "axis" },
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.counties, axisLabel: axisLabel },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels.persons, type: "bar", data: data.persons.values, color: "#0b5cad" }]
    }, function (params) { go(data.persons.urls[params.dataIndex]); });

    chart("chart-days", {
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.issued, type: "line", data: data.issued },
        { name: data.labels.done, type: "line", data: data.done, color: "#1e7a34" }
      ]
    }, function (params) {
      go((params.seriesIndex === 0 ? data.issued_urls : data.done_urls)[params.dataIndex]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
