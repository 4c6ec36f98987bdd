/* Citizen portal: progressive enhancements only; every form works without this file. */
(function () {
  "use strict";

  // Move focus to the error summary so that screen readers and keyboards start there.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  var box = document.querySelector("[data-geolocation]");
  if (!box || !window.isSecureContext || !("geolocation" in navigator)) {
    return;
  }
  var form = box.closest("form");
  var lat = form.querySelector("input[name=latitude]");
  var lon = form.querySelector("input[name=longitude]");
  var use = box.querySelector("[data-geolocation-use]");
  var clear = box.querySelector("[data-geolocation-clear]");
  var status = box.querySelector("[data-geolocation-status]");

  function say(key) {
    status.textContent = status.getAttribute("data-text-" + key) || "";
  }

  function showClear(on) {
    clear.hidden = !on;
  }

  box.hidden = false;
  showClear(Boolean(lat.value && lon.value));

  use.addEventListener("click", function () {
    use.disabled = true;
    say("searching");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        use.disabled = false;
        showClear(true);
        say("found");
      },
      function () {
        use.disabled = false;
        say("denied");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  clear.addEventListener("click", function () {
    lat.value = "";
    lon.value = "";
    showClear(false);
    say("cleared");
    use.focus();
  });
})();
