// The trace-forward graph of a positive sample (#trace-graph, configured by
// #trace-graph-config): holders as nodes (the sample's place in red), dispatches as arrows
// labelled with their packages. Every data string reaches the tooltip HTML escaped.
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("trace-graph");
    var source = document.getElementById("trace-graph-config");
    if (!node || !source || !window.echarts) return;
    var config = JSON.parse(source.textContent);
    var chart = window.echarts.init(node);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var text = p.dataType === "edge"
            ? config.labels.batch + " " + p.data.batch + ": " + p.data.packages + " " +
              config.labels.packages
            : p.data.name;
          return window.EpiCommand.escapeHtml(text);
        }
      },
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        force: { repulsion: 200, edgeLength: 90 },
        edgeSymbol: ["none", "arrow"],
        label: { show: true, formatter: function (p) { return p.data.name; } },
        data: config.nodes.map(function (n) {
          return { id: n.id, name: n.name, itemStyle: { color: n.origin ? "#b42318" : "#0b5cad" } };
        }),
        links: config.links
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
