// The risk-area map: the regions under the one shown, coloured by the level in force, from
// the GeoJSON of /risk/map/<code>.json. A click on a region with parts opens it (city ->
// county -> township -> villages); the path above the map goes back up. The list under the
// map says the same in words and opens regions from the keyboard.
(function () {
  "use strict";

  var FILL = { high: "#b42318", medium: "#f79009", low: "#eaf5ec" };
  var INSIDE = { high: "#f6c9c4", medium: "#fde2b8" };

  function start() {
    var node = document.getElementById("risk-map");
    if (!node || !window.echarts) return;
    var config = JSON.parse(document.getElementById("risk-map-config").textContent);
    var chart = window.echarts.init(node);
    var features = {};

    function fill(p) {
      if (p.level !== "low") return FILL[p.level];
      return p.inside ? INSIDE[p.inside] : FILL.low;
    }

    function describe(p) {
      var text = p.name + ": " + config.levels[p.level];
      if (p.inside) text += " (" + config.labels.inside + " " + config.levels[p.inside] + ")";
      return text;
    }

    function load(code) {
      fetch(config.url.replace("CODE", code), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(show)
        .catch(function () {
          var error = document.getElementById("risk-map-error");
          error.textContent = config.labels.failed;
          error.hidden = false;
        });
    }

    function show(geo) {
      var name = "risk-" + geo.region.code;
      var error = document.getElementById("risk-map-error");
      error.hidden = geo.features.length > 0;
      error.textContent = geo.features.length ? "" : config.labels.none;
      features = {};
      geo.features.forEach(function (f) { features[f.properties.code] = f.properties; });
      window.echarts.registerMap(name, geo);
      var many = geo.features.length > 40;
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var p = features[params.name];
            if (!p) return "";
            var lines = p.drillable ? [describe(p), config.labels.open] : [describe(p)];
            return window.EpiCommand.htmlLines(lines);
          }
        },
        series: [{
          type: "map",
          map: name,
          nameProperty: "code",
          roam: true,
          selectedMode: false,
          label: {
            show: !many,
            fontSize: 11,
            formatter: function (params) {
              var p = features[params.name];
              return p ? p.name : "";
            }
          },
          itemStyle: { borderColor: "#5b6670", borderWidth: 0.6 },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#9ec5ef" } },
          data: geo.features.map(function (f) {
            return { name: f.properties.code, itemStyle: { areaColor: fill(f.properties) } };
          })
        }]
      }, true);
      node.setAttribute("data-region", geo.region.code);
      path(geo.path);
      list(geo);
    }

    function path(steps) {
      var crumbs = document.getElementById("risk-map-path");
      crumbs.textContent = "";
      steps.forEach(function (step, index) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = step.name;
        if (index === steps.length - 1) {
          button.disabled = true;
          button.setAttribute("aria-current", "location");
        } else {
          button.addEventListener("click", function () { load(step.code); });
        }
        item.appendChild(button);
        crumbs.appendChild(item);
      });
    }

    function list(geo) {
      var regions = document.getElementById("risk-map-regions");
      regions.textContent = "";
      geo.features.forEach(function (f) {
        var p = f.properties;
        var item = document.createElement("li");
        var badge = document.createElement("span");
        badge.className = "risk " + p.level;
        badge.textContent = config.levels[p.level];
        if (p.drillable) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.textContent = p.name;
          button.addEventListener("click", function () { load(p.code); });
          item.appendChild(button);
        } else {
          item.appendChild(document.createTextNode(p.name));
        }
        item.appendChild(document.createTextNode(" "));
        item.appendChild(badge);
        if (p.inside) {
          var inside = " (" + config.labels.inside + " " + config.levels[p.inside] + ")";
          item.appendChild(document.createTextNode(inside));
        }
        regions.appendChild(item);
      });
    }

    chart.on("click", function (params) {
      var p = features[params.name];
      if (p && p.drillable) load(p.code);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    load(config.start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
