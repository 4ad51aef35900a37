// The one way our scripts turn data into HTML. ECharts tooltips take HTML, so a tooltip
// formatter that shows a name, an address or any other recorded text passes it through
// EpiCommand.escapeHtml; everything else is written with textContent. The suite's
// tests/web/test_html_from_data.py fails on a script that builds HTML any other way.
(function () {
  "use strict";

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(
      /[&<>"']/g,
      function (c) { return ENTITIES[c]; }
    );
  }

  // Tooltip lines: each escaped, joined by line breaks.
  function htmlLines(lines) {
    return lines.map(escapeHtml).join("<br>");
  }

  window.EpiCommand = Object.freeze({ escapeHtml: escapeHtml, htmlLines: htmlLines });
})();
