// The chain view of one cluster (#chain, configured by #chain-config): its cases as an
// ECharts graph coloured by classification, links as arrows and contact paths dashed.
// Contacts are not sent with the graph: clicking a case fetches its contacts
// (graph.json?expand=<case>) and adds them around it. Big clusters come with positions
// computed by the server (layout "none"), so nothing is simulated in the browser.
(function () {
  "use strict";

  var COLOURS = {
    suspected: "#9a6700", mild: "#d4380d", moderate: "#b42318", severe: "#7a1212",
    critical: "#3b0a0a", asymptomatic: "#0b5cad", contact: "#8c8c8c"
  };

  function format(text, n) { return text.replace("%(n)s", n); }

  function start() {
    var node = document.getElementById("chain");
    var source = document.getElementById("chain-config");
    if (!node || !source || !window.echarts) return;
    var config = JSON.parse(source.textContent);
    fetch(config.graph, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (graph) { draw(node, config, graph); })
      .catch(function () { node.setAttribute("data-error", "1"); });
  }

  function draw(node, config, graph) {
    var labels = config.labels;
    var classes = Object.keys(COLOURS);
    var big = graph.layout === "none";
    var cases = {};
    var nodes = graph.nodes.map(function (c) {
      cases[c.id] = c;
      return {
        id: "c" + c.id,
        name: c.v ? c.name : format(labels.case, c.id),
        category: classes.indexOf(c.c),
        x: c.x, y: c.y,
        symbolSize: 12 + Math.min(18, Math.sqrt(c.n) * 3),
        value: c.n,
        itemStyle: c.o === "ruled_out" ? { opacity: 0.4 } : undefined
      };
    });
    var links = graph.edges.map(function (e) {
      var contact = e.k === "contact";
      return {
        source: "c" + e.s, target: "c" + e.t,
        symbol: contact ? ["none", "none"] : ["none", "arrow"],
        lineStyle: { type: contact ? "dashed" : "solid", width: contact ? 1 : 2 }
      };
    });
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    var expanded = {};

    function render() {
      chart.setOption({
        animation: !big,
        tooltip: {
          formatter: function (p) {
            return p.dataType === "node" ? window.EpiCommand.escapeHtml(p.name) : "";
          }
        },
        legend: { data: classes.map(function (c) { return labels.classes[c] || labels.contact; }) },
        series: [{
          type: "graph",
          layout: big ? "none" : "force",
          force: { repulsion: 140, edgeLength: [40, 90], gravity: 0.08, layoutAnimation: false },
          roam: true,
          draggable: !big,
          label: { show: !big, position: "right", fontSize: 11 },
          edgeSymbolSize: 7,
          categories: classes.map(function (c) {
            return { name: labels.classes[c] || labels.contact, itemStyle: { color: COLOURS[c] } };
          }),
          data: nodes,
          links: links,
          emphasis: { focus: "adjacency" }
        }]
      });
      node.setAttribute("data-nodes", String(nodes.length));
    }

    chart.on("finished", function () {
      if (!node.hasAttribute("data-drawn")) node.setAttribute("data-drawn", String(nodes.length));
    });
    chart.on("click", function (p) {
      if (p.dataType !== "node" || p.data.id.charAt(0) !== "c") return;
      var c = cases[p.data.id.slice(1)];
      show(c);
      if (c.n && !expanded[c.id]) expand(c);
    });

    function show(c) {
      var aside = document.getElementById("chain-node");
      var title = c.v ? c.name + " · " + format(labels.case, c.id) : format(labels.masked, c.id);
      aside.textContent = "";
      var h = document.createElement("h2");
      if (c.v) {
        var a = document.createElement("a");
        a.href = config.case.replace(/0\/?$/, c.id + "/");
        a.textContent = title;
        h.appendChild(a);
      } else {
        h.textContent = title;
      }
      aside.appendChild(h);
      var p = document.createElement("p");
      p.textContent = (labels.classes[c.c] || c.c) + (c.d ? " · " + c.d : "") +
        " · " + format(labels.contacts, c.n);
      aside.appendChild(p);
    }

    function expand(c) {
      expanded[c.id] = true;
      fetch(config.graph + "?expand=" + c.id, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (found) {
          var ring = 30 + found.contacts.length * 2;
          found.contacts.forEach(function (k, i) {
            var angle = (2 * Math.PI * i) / Math.max(found.contacts.length, 1);
            nodes.push({
              id: "k" + k.id,
              name: k.v ? k.name : labels.contact,
              category: classes.indexOf("contact"),
              x: big ? c.x + ring * Math.cos(angle) : undefined,
              y: big ? c.y + ring * Math.sin(angle) : undefined,
              symbolSize: 7
            });
            links.push({ source: "c" + c.id, target: "k" + k.id, lineStyle: { type: "dotted", width: 1 } });
          });
          if (found.more) {
            var aside = document.getElementById("chain-node");
            var more = document.createElement("p");
            more.textContent = format(labels.more, found.more);
            aside.appendChild(more);
          }
          render();
        });
    }

    render();
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
