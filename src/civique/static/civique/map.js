/* The map of a located conversation: every element with data-map (data-lat, data-lon,
   data-tiles, data-label, data-zoom-in, data-zoom-out) becomes a Leaflet map with a marker. The page already shows the coordinates and a
   link to OpenStreetMap: without JavaScript, or without tiles, nothing is missing but the
   picture. Runs again on content HTMX swaps in. */
(function () {
  "use strict";

  function show(element) {
    if (element.dataset.mapReady || typeof L === "undefined") {
      return;
    }
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon) || !element.dataset.tiles) {
      return;
    }
    element.dataset.mapReady = "1";
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    map.setView([lat, lon], 17);
    // The zoom buttons' names, translated by the page.
    L.control
      .zoom({
        zoomInTitle: element.dataset.zoomIn || "+",
        zoomOutTitle: element.dataset.zoomOut || "-",
      })
      .addTo(map);
    L.tileLayer(element.dataset.tiles, {
      maxZoom: 19,
      // The tile server needs to know which site asks (OpenStreetMap's usage policy), not
      // which conversation: the origin only.
      referrerPolicy: "strict-origin-when-cross-origin",
      attribution:
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    }).addTo(map);
    L.marker([lat, lon], { alt: element.dataset.label || "", keyboard: false }).addTo(map);
  }

  function scan(root) {
    if (root && root.querySelectorAll) {
      root.querySelectorAll("[data-map]").forEach(show);
    }
  }

  scan(document);
  document.addEventListener("htmx:load", function (event) {
    scan(event.detail && event.detail.elt);
  });
})();
