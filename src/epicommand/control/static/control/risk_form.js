// The designation form: "Add" next to a region found by the search appends its code to
// the regions field (once).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-region]");
    if (!button) return;
    var field = document.getElementById("id_regions");
    if (!field) return;
    var code = button.getAttribute("data-add-region");
    var codes = field.value.split(/[\s,]+/).filter(Boolean);
    if (codes.indexOf(code) === -1) codes.push(code);
    field.value = codes.join(" ");
    button.disabled = true;
  });
})();
