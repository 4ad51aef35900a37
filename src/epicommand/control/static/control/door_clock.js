// The check-in screen's running clock (#door-clock): the time now in Asia/Shanghai,
// whatever zone the phone is set to, so a screenshot of an earlier check-in shows stale.
(function () {
  "use strict";

  function start() {
    var clock = document.getElementById("door-clock");
    if (!clock) return;
    var format = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
    function tick() { clock.textContent = format.format(new Date()); }
    tick();
    setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
