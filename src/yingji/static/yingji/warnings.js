// Drawing a warning's polygon on the map: each click adds a point, the ring closes
// itself (the first point repeated at the end, as CAP wants), and the textarea holding
// "lat,lon lat,lon …" is the real field: typing there redraws the polygon.
(function () {
  "use strict";

  function parse(text) {
    var points = [];
    var parts = (text || "").trim().split(/\s+/);
    for (var i = 0; i < parts.length; i += 1) {
      var pair = parts[i].split(",");
      if (pair.length !== 2) {
        continue;
      }
      var lat = parseFloat(pair[0]);
      var lon = parseFloat(pair[1]);
      if (isFinite(lat) && isFinite(lon)) {
        points.push([lat, lon]);
      }
    }
    // The closing point is drawn by the ring itself.
    if (points.length > 1) {
      var first = points[0];
      var last = points[points.length - 1];
      if (first[0] === last[0] && first[1] === last[1]) {
        points.pop();
      }
    }
    return points;
  }

  function write(points) {
    if (points.length < 3) {
      return points.map(function (p) { return p[0] + "," + p[1]; }).join(" ");
    }
    return points.concat([points[0]]).map(function (p) { return p[0] + "," + p[1]; }).join(" ");
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function setUp(field) {
    var element = document.getElementById(field.getAttribute("data-map"));
    if (!element || !window.yingjiMap || !window.L) {
      return;
    }
    var map = window.yingjiMap.get(element);
    if (!map) {
      return;
    }
    var points = parse(field.value);
    var shape = null;

    function draw() {
      if (shape) {
        map.removeLayer(shape);
        shape = null;
      }
      if (points.length >= 3) {
        shape = window.L.polygon(points, { className: "warning-polygon" }).addTo(map);
      } else if (points.length > 0) {
        shape = window.L.polyline(points, { className: "warning-polygon" }).addTo(map);
      }
    }

    map.on("click", function (event) {
      points.push([round(event.latlng.lat), round(event.latlng.lng)]);
      field.value = write(points);
      draw();
    });
    field.addEventListener("input", function () {
      points = parse(field.value);
      draw();
    });
    var clear = document.querySelector('button.polygon-clear[data-for="' + field.id + '"]');
    if (clear) {
      clear.addEventListener("click", function () {
        points = [];
        field.value = "";
        draw();
      });
    }
    draw();
  }

  function init() {
    var fields = document.querySelectorAll("textarea[data-map]");
    for (var i = 0; i < fields.length; i += 1) {
      setUp(fields[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
