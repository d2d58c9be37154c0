// Maps: every <div class="map"> becomes a Leaflet map, configured by its data attributes
// (templates/_map.html writes them):
//   data-tiles, data-attribution   tile URL template and credit; empty: no tiles, so the
//                                  map never asks another host for anything
//   data-outlines                  URL of a GeoJSON FeatureCollection (outlines of units)
//   data-markers-id | data-markers id of a JSON <script>, or inline JSON: a list of
//                                  {lat, lon, label, url?, css?, color?}
//   data-pick-lat, data-pick-lon   ids of two inputs a click on the map sets; their
//                                  values place a draggable marker, and typing moves it
//   data-center="lat,lon", data-zoom   the view when there is nothing to fit
//   data-choropleth-id             id of a JSON <script>: a GeoJSON FeatureCollection of
//                                  areas, each filled with its properties.color (light
//                                  grey when missing), with a tooltip "label: value" and
//                                  a click going to properties.url; the collection's
//                                  properties.legend, [{color, label}], becomes a legend
// window.yingjiMap.init(root) sets up maps added later; htmx swaps are handled here.
(function () {
  "use strict";
  if (!window.L) {
    return;
  }
  var script = document.currentScript;
  var images = script && script.getAttribute("data-leaflet-images");
  if (images) {
    L.Icon.Default.imagePath = images;
  }
  var live = [];

  function number(text) {
    if (text === null || text === undefined || String(text).trim() === "") {
      return null;
    }
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  function isPosition(lat, lon) {
    return lat !== null && lon !== null && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
  }

  // Leaflet writes strings into tooltips and the attribution as HTML: text goes in as
  // nodes or escaped, so a unit's name can never become markup.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // Only a path on this site: "/x", never "//host", "/\\host" or a scheme.
  function sameOrigin(url) {
    if (typeof url !== "string" || url.charAt(0) !== "/" || /^\/[\/\\]/.test(url)) {
      return null;
    }
    try {
      var target = new URL(url, window.location.origin);
      return target.origin === window.location.origin ? url : null;
    } catch (error) {
      return null;
    }
  }

  // A colour as the server writes it, "#rgb" or "#rrggbb"; anything else is not used.
  function colour(text) {
    return typeof text === "string" && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(text) ? text : null;
  }

  var NO_VALUE = "#e4e6e9";

  function readChoropleth(element) {
    var source = document.getElementById(element.getAttribute("data-choropleth-id") || "");
    if (!source) {
      return null;
    }
    try {
      var collection = JSON.parse(source.textContent);
      return collection && Array.isArray(collection.features) ? collection : null;
    } catch (error) {
      return null;
    }
  }

  function addLegend(map, entries) {
    if (!Array.isArray(entries) || !entries.length) {
      return;
    }
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-bar map-legend");
      box.style.cssText = "background:#fff;padding:.3em .6em;font-size:.85em;line-height:1.6;";
      entries.forEach(function (entry) {
        if (!entry || typeof entry !== "object") {
          return;
        }
        var row = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.style.cssText =
          "display:inline-block;width:1em;height:.8em;margin-inline-end:.4em;" +
          "vertical-align:middle;border:1px solid #444;";
        swatch.style.background = colour(entry.color) || NO_VALUE;
        row.appendChild(swatch);
        var label = entry.label === undefined || entry.label === null ? "" : String(entry.label);
        row.appendChild(document.createTextNode(label));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function addChoropleth(map, element, bounds) {
    var collection = readChoropleth(element);
    if (!collection) {
      return null;
    }
    element.classList.add("choropleth");
    var layer = L.geoJSON(collection.features, {
      style: function (feature) {
        var properties = feature.properties || {};
        return {
          className: "map-area",
          color: "#333",
          weight: 1,
          opacity: 0.9,
          fillColor: colour(properties.color) || NO_VALUE,
          fillOpacity: 0.6,
        };
      },
      onEachFeature: function (feature, shape) {
        var properties = feature.properties || {};
        var label = properties.label === undefined ? null : properties.label;
        var figure = properties.value === undefined ? null : properties.value;
        label = label === null ? "" : String(label);
        figure = figure === null ? "—" : String(figure);
        shape.bindTooltip(textNode(label ? label + ": " + figure : figure), { sticky: true });
        var url = sameOrigin(properties.url);
        if (url) {
          shape.on("click", function () {
            window.location.assign(url);
          });
        } else {
          // Leaflet gives every interactive shape a pointer; only a link should have one.
          var plain = function () {
            var path = shape.getElement && shape.getElement();
            if (path) {
              path.style.cursor = "default";
            }
          };
          shape.on("add", plain);
          plain();
        }
      },
    }).addTo(map);
    if (collection.features.length && layer.getBounds().isValid()) {
      bounds.extend(layer.getBounds());
    }
    addLegend(map, collection.properties && collection.properties.legend);
    return layer;
  }

  function readMarkers(element) {
    var source = element.getAttribute("data-markers-id");
    var text = source
      ? (document.getElementById(source) || {}).textContent
      : element.getAttribute("data-markers");
    if (!text) {
      return [];
    }
    try {
      var list = JSON.parse(text);
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function addMarkers(map, element, bounds) {
    var group = L.featureGroup().addTo(map);
    readMarkers(element).forEach(function (item) {
      var lat = number(item.lat);
      var lon = number(item.lon);
      if (!isPosition(lat, lon)) {
        return;
      }
      var options = {
        radius: 7,
        weight: 2,
        className: "map-marker" + (item.css ? " " + item.css : ""),
      };
      var point = L.circleMarker([lat, lon], options).addTo(group);
      if (item.color) {
        // Inline, as the stylesheet's colours would win over Leaflet's SVG attributes;
        // the path exists once the map has a view, maybe only after this.
        var paint = function () {
          var path = point.getElement();
          if (path) {
            path.style.fill = item.color;
          }
        };
        point.on("add", paint);
        paint();
      }
      if (item.label) {
        point.bindTooltip(textNode(item.label));
      }
      if (item.url) {
        point.on("click", function () {
          window.location.assign(item.url);
        });
      }
      bounds.extend([lat, lon]);
    });
    return group;
  }

  function setUpPicker(map, element) {
    var latInput = document.getElementById(element.getAttribute("data-pick-lat") || "");
    var lonInput = document.getElementById(element.getAttribute("data-pick-lon") || "");
    if (!latInput || !lonInput) {
      return null;
    }
    element.classList.add("picking");
    var pin = null;
    var writing = false;

    function write(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      // Tell the form (htmx, validation) as if typed; the handler below skips these.
      writing = true;
      try {
        [latInput, lonInput].forEach(function (input) {
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
      } finally {
        writing = false;
      }
    }

    function place(latlng) {
      if (pin) {
        pin.setLatLng(latlng);
        return;
      }
      var label = element.getAttribute("data-pin-label") || "";
      pin = L.marker(latlng, { draggable: true, title: label, alt: label }).addTo(map);
      pin.on("dragend", function () {
        var moved = pin.getLatLng().wrap();
        pin.setLatLng(moved);
        write(moved);
      });
    }

    function fromInputs() {
      var lat = number(latInput.value);
      var lon = number(lonInput.value);
      if (!isPosition(lat, lon)) {
        return null;
      }
      var latlng = L.latLng(lat, lon);
      place(latlng);
      return latlng;
    }

    map.on("click", function (event) {
      var latlng = event.latlng.wrap();
      place(latlng);
      write(latlng);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        if (writing) {
          return;
        }
        var latlng = fromInputs();
        if (latlng) {
          map.panTo(latlng);
        }
      });
    });
    return fromInputs();
  }

  function fit(map, bounds) {
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 14 });
    }
  }

  function loadOutlines(map, element, bounds, markers, refit, areas) {
    var url = element.getAttribute("data-outlines");
    if (!url) {
      element.setAttribute("data-map-ready", "true");
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        var features = (collection && collection.features) || [];
        var top = Infinity;
        features.forEach(function (feature) {
          var depth = number(feature.properties && feature.properties.depth);
          if (depth !== null && depth < top) {
            top = depth;
          }
        });
        var layer = L.geoJSON(features, {
          // Each level down is drawn thinner; the API lists parents first, so the
          // smaller units lie on top and take the pointer.
          style: function (feature) {
            var depth = number(feature.properties && feature.properties.depth);
            var below = depth === null || top === Infinity ? 0 : depth - top;
            return {
              className: "map-outline",
              weight: Math.max(1, 3 - below),
              opacity: 0.9,
              fillOpacity: 0.06,
            };
          },
          onEachFeature: function (feature, shape) {
            var name = feature.properties && feature.properties.name;
            if (name) {
              shape.bindTooltip(textNode(name), { sticky: true });
            }
          },
        }).addTo(map);
        if (areas) {
          areas.bringToFront(); // the filled areas take the pointer above the outlines
        }
        markers.bringToFront(); // points stay clickable above the areas
        if (features.length) {
          bounds.extend(layer.getBounds());
          if (refit) {
            fit(map, bounds);
          }
        }
        element.setAttribute("data-map-ready", "true");
      })
      .catch(function (error) {
        if (window.console) {
          window.console.warn("map outlines:", url, error);
        }
        var note = document.createElement("p");
        note.className = "map-error";
        note.setAttribute("role", "status");
        note.textContent = element.getAttribute("data-label-failed") || "";
        element.insertAdjacentElement("afterend", note);
        element.setAttribute("data-map-ready", "error");
      });
  }

  function setUp(element) {
    if (element._yingjiMap) {
      return element._yingjiMap;
    }
    var tiles = element.getAttribute("data-tiles");
    // Without tiles Leaflet knows no zoom limits: keep fitBounds to a sensible range,
    // and let it fit outlines snugly (tiles, when there are any, stay sharp at whole zooms).
    var map = L.map(element, { minZoom: 2, maxZoom: 18, zoomSnap: tiles ? 1 : 0.25 });
    element._yingjiMap = map;
    live.push(element);
    // A map laid out while hidden or resized with its panel (not the window) redraws.
    if (window.ResizeObserver) {
      var watcher = new ResizeObserver(function () {
        map.invalidateSize();
      });
      watcher.observe(element);
      map.on("unload", function () {
        watcher.disconnect();
      });
    }
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    if (tiles) {
      L.tileLayer(tiles, {
        attribution: escapeHtml(element.getAttribute("data-attribution") || ""),
        maxZoom: 18,
      }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    var bounds = L.latLngBounds([]);
    var areas = addChoropleth(map, element, bounds);
    var markers = addMarkers(map, element, bounds);
    var picked = element.hasAttribute("data-pick-lat") ? setUpPicker(map, element) : null;
    if (picked) {
      map.setView(picked, 14);
    } else if (bounds.isValid()) {
      fit(map, bounds);
    } else {
      var center = (element.getAttribute("data-center") || "").split(",");
      var lat = number(center[0]);
      var lon = number(center[1]);
      var zoom = number(element.getAttribute("data-zoom"));
      map.setView(isPosition(lat, lon) ? [lat, lon] : [35, 105], zoom === null ? 4 : zoom);
    }
    // A chosen place keeps the view; otherwise the outlines, once loaded, decide it.
    loadOutlines(map, element, bounds, markers, !picked, areas);
    return map;
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = scope.querySelectorAll("div.map");
    for (var i = 0; i < found.length; i += 1) {
      setUp(found[i]);
    }
    if (scope.matches && scope.matches("div.map")) {
      setUp(scope);
    }
  }

  // Maps whose element htmx took out of the page are released with it.
  function release() {
    live = live.filter(function (element) {
      if (document.body.contains(element)) {
        return true;
      }
      element._yingjiMap.remove();
      element._yingjiMap = null;
      return false;
    });
  }

  window.yingjiMap = {
    init: init,
    get: function (element) {
      return element._yingjiMap || null;
    },
  };
  document.addEventListener("htmx:after:settle", function (event) {
    release();
    init(event.target);
  });
  init(document);
})();
