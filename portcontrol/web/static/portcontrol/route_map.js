/*
 * PortControl route map.
 *
 * Plain script, no build step. Needs the vendored ECharts (vendor/echarts.min.js) loaded
 * before it. For every element carrying `data-route-map="SCRIPT_ID"` it reads the route
 * from <script type="application/json" id="SCRIPT_ID">:
 *
 *   {"points": [{"locode": "ECGYE", "name": "Guayaquil", "role": "loading",
 *                "lat": -2.2, "lon": -79.88}, ...],
 *    "missing": ["XXABC", ...]}
 *
 * Points are in route order; those without coordinates are skipped here (the page's table
 * lists them). The world outline comes from `data-geojson-url` (same origin). If ECharts,
 * the route data or the outline cannot be had, the text of `data-fallback` is shown instead.
 * Optional attributes: `data-label` (accessible name of the map).
 */
(function () {
  "use strict";

  var MAP_NAME = "world";
  var MAX_ZOOM = 10;
  var MIN_EXTENT = 25; // degrees: a single port or a short route still shows its region
  var FILL = 0.6; // share of the chart the route's bounding box may take after fitting

  var ROLE_COLOURS = {
    receipt: "#5b6b7b",
    loading: "#1f5fbf",
    transshipment: "#b26a00",
    discharge: "#b3261e",
    destination: "#5b6b7b"
  };
  var DEFAULT_COLOUR = "#3d4b59";
  var LINE_COLOUR = "#1f5fbf";

  var ASPECT_SCALE = 0.75; // squeezes longitudes like a mid-latitude equirectangular map
  var PADDING = 8; // px between the world outline and the chart's edge at zoom 1

  var geojsonRequests = {};
  var registered = false;
  var worldAspect = 360 / 180 * ASPECT_SCALE; // width / height once drawn; set from the data

  function measureWorld(geojson) {
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    function walk(c) {
      if (typeof c[0] === "number") {
        if (c[0] < minX) { minX = c[0]; }
        if (c[0] > maxX) { maxX = c[0]; }
        if (c[1] < minY) { minY = c[1]; }
        if (c[1] > maxY) { maxY = c[1]; }
        return;
      }
      for (var i = 0; i < c.length; i++) { walk(c[i]); }
    }
    (geojson.features || []).forEach(function (f) {
      if (f.geometry && f.geometry.coordinates) { walk(f.geometry.coordinates); }
    });
    if (maxX > minX && maxY > minY) {
      worldAspect = (maxX - minX) / (maxY - minY) * ASPECT_SCALE;
    }
  }

  // ECharts ignores the map's aspect ratio when left/right/top/bottom are all given, so the
  // world is laid out by centre and size: as large as fits the element without stretching.
  function layout(el) {
    var width = Math.max((el.clientWidth || 600) - 2 * PADDING, 50);
    var height = Math.max((el.clientHeight || 420) - 2 * PADDING, 50);
    return {
      layoutCenter: ["50%", "50%"],
      layoutSize: Math.min(width, height * worldAspect)
    };
  }

  function loadWorld(url) {
    if (!geojsonRequests[url]) {
      geojsonRequests[url] = fetch(url, { credentials: "same-origin" }).then(function (resp) {
        if (!resp.ok) {
          throw new Error("map outline: HTTP " + resp.status);
        }
        return resp.json();
      }).then(function (geojson) {
        if (!registered) {
          measureWorld(geojson);
          window.echarts.registerMap(MAP_NAME, geojson);
          registered = true;
        }
        return geojson;
      });
    }
    return geojsonRequests[url];
  }

  function showFallback(el, chart) {
    if (chart) {
      try { chart.dispose(); } catch (e) { /* already gone */ }
    }
    el.textContent = "";
    var p = document.createElement("p");
    p.className = "route-map-fallback";
    p.textContent = el.getAttribute("data-fallback") || "Map unavailable.";
    el.appendChild(p);
    el.classList.add("route-map-failed");
  }

  function readRoute(el) {
    var id = el.getAttribute("data-route-map");
    var node = id ? document.getElementById(id) : null;
    if (!node) {
      throw new Error("route data element not found: " + id);
    }
    var data = JSON.parse(node.textContent || "{}");
    var points = Array.isArray(data.points) ? data.points : [];
    return points.filter(function (p) {
      // parseFloat(null), parseFloat("") and parseFloat(undefined) are NaN.
      return p && isFinite(parseFloat(p.lat)) && isFinite(parseFloat(p.lon));
    }).map(function (p) {
      return {
        locode: String(p.locode || ""),
        name: String(p.name || p.locode || ""),
        role: String(p.role || ""),
        roleLabel: String(p.role_label || p.role || ""),
        lat: parseFloat(p.lat),
        lon: parseFloat(p.lon)
      };
    });
  }

  function pointLabel(p) {
    if (p.name && p.locode && p.name !== p.locode) {
      return p.name + " (" + p.locode + ")";
    }
    return p.name || p.locode;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function buildOption(el, points) {
    var box = layout(el);
    var portData = points.map(function (p) {
      return {
        name: pointLabel(p),
        value: [p.lon, p.lat],
        point: p,
        itemStyle: { color: ROLE_COLOURS[p.role] || DEFAULT_COLOUR }
      };
    });
    var legs = [];
    for (var i = 1; i < points.length; i++) {
      var a = points[i - 1];
      var b = points[i];
      if (a.lon === b.lon && a.lat === b.lat) {
        continue;
      }
      legs.push({ coords: [[a.lon, a.lat], [b.lon, b.lat]] });
    }

    return {
      animation: false,
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: function (params) {
          var p = params.data && params.data.point;
          if (!p) {
            return "";
          }
          var html = "<strong>" + escapeHtml(p.name) + "</strong> " + escapeHtml(p.locode);
          if (p.roleLabel) {
            html += "<br>" + escapeHtml(p.roleLabel);
          }
          return html;
        }
      },
      geo: {
        map: MAP_NAME,
        roam: true,
        aspectScale: ASPECT_SCALE,
        layoutCenter: box.layoutCenter,
        layoutSize: box.layoutSize,
        scaleLimit: { min: 1, max: MAX_ZOOM * 2 },
        itemStyle: {
          areaColor: "#e4e8ec",
          borderColor: "#aab4be",
          borderWidth: 0.5
        },
        emphasis: { disabled: true },
        select: { disabled: true },
        tooltip: { show: false }
      },
      series: [
        {
          type: "lines",
          coordinateSystem: "geo",
          zlevel: 1,
          silent: true,
          symbol: ["none", "arrow"],
          symbolSize: 9,
          lineStyle: { color: LINE_COLOUR, width: 2, opacity: 0.85, curveness: 0 },
          data: legs
        },
        {
          type: "scatter",
          coordinateSystem: "geo",
          zlevel: 2,
          symbol: "circle",
          symbolSize: 10,
          itemStyle: { borderColor: "#ffffff", borderWidth: 1.5 },
          label: {
            show: true,
            position: "right",
            distance: 6,
            formatter: "{b}",
            color: "#1d2733",
            fontSize: 12,
            backgroundColor: "rgba(255, 255, 255, 0.85)",
            padding: [2, 4],
            borderRadius: 2
          },
          labelLayout: { hideOverlap: false, moveOverlap: "shiftY" },
          data: portData
        }
      ]
    };
  }

  function currentZoom(chart) {
    var opt = chart.getOption();
    var geo = opt && opt.geo && opt.geo[0];
    return (geo && geo.zoom) || 1;
  }

  // Centre the map on the route's bounding box and zoom so that the box takes about FILL
  // of the chart in its tighter dimension.
  function fitToPoints(chart, el, points) {
    if (!points.length) {
      chart.setOption({ geo: { center: null, zoom: 1 } });
      return;
    }
    var minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    points.forEach(function (p) {
      minLon = Math.min(minLon, p.lon);
      maxLon = Math.max(maxLon, p.lon);
      minLat = Math.min(minLat, p.lat);
      maxLat = Math.max(maxLat, p.lat);
    });
    var center = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
    var zoom;
    var topLeft = chart.convertToPixel({ geoIndex: 0 }, [minLon, maxLat]);
    var bottomRight = chart.convertToPixel({ geoIndex: 0 }, [maxLon, minLat]);
    var unit = chart.convertToPixel({ geoIndex: 0 }, [minLon + 1, maxLat - 1]);
    var z = currentZoom(chart);
    if (!topLeft || !bottomRight || !unit) {
      zoom = 1;
    } else {
      // Pixel size of the box at zoom 1; pixels scale linearly with the zoom.
      var w = Math.abs(bottomRight[0] - topLeft[0]) / z;
      var h = Math.abs(bottomRight[1] - topLeft[1]) / z;
      // Keep a minimum extent so a single port is not zoomed in to bare outlines.
      var minW = Math.abs(unit[0] - topLeft[0]) / z * MIN_EXTENT;
      var minH = Math.abs(unit[1] - topLeft[1]) / z * MIN_EXTENT;
      w = Math.max(w, minW);
      h = Math.max(h, minH);
      var width = el.clientWidth || 600;
      var height = el.clientHeight || 420;
      zoom = Math.min(width * FILL / w, height * FILL / h);
      zoom = Math.max(1, Math.min(MAX_ZOOM, zoom));
    }
    chart.setOption({ geo: { center: center, zoom: zoom } });
  }

  function describe(el, points) {
    if (!el.hasAttribute("role")) {
      el.setAttribute("role", "img");
    }
    var label = el.getAttribute("data-label");
    if (!label) {
      label = points.map(pointLabel).join(" \u2192 ");
    }
    if (label) {
      el.setAttribute("aria-label", label);
    }
  }

  function initMap(el) {
    if (el.getAttribute("data-route-map-ready")) {
      return;
    }
    el.setAttribute("data-route-map-ready", "1");

    var points;
    try {
      if (!window.echarts || typeof window.echarts.init !== "function") {
        throw new Error("ECharts not loaded");
      }
      points = readRoute(el);
    } catch (err) {
      if (window.console) { window.console.warn("route map:", err); }
      showFallback(el);
      return;
    }
    var url = el.getAttribute("data-geojson-url");
    if (!url) {
      showFallback(el);
      return;
    }

    loadWorld(url).then(function () {
      var chart = null;
      try {
        el.textContent = "";
        chart = window.echarts.init(el, null, { renderer: "canvas" });
        chart.setOption(buildOption(el, points));
        fitToPoints(chart, el, points);
        describe(el, points);
      } catch (err) {
        if (window.console) { window.console.warn("route map:", err); }
        showFallback(el, chart);
        return;
      }

      // Refit on resize until the officer pans or zooms the map by hand.
      var roamed = false;
      chart.on("georoam", function () { roamed = true; });
      var pending = null;
      window.addEventListener("resize", function () {
        if (pending) { window.clearTimeout(pending); }
        pending = window.setTimeout(function () {
          pending = null;
          if (chart.isDisposed()) { return; }
          chart.resize();
          chart.setOption({ geo: layout(el) });
          if (!roamed) {
            fitToPoints(chart, el, points);
          }
        }, 120);
      });
    }).catch(function (err) {
      if (window.console) { window.console.warn("route map:", err); }
      showFallback(el);
    });
  }

  function initAll(root) {
    var nodes = (root || document).querySelectorAll("[data-route-map]");
    for (var i = 0; i < nodes.length; i++) {
      initMap(nodes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }

  // Maps inside fragments swapped in by htmx are set up too.
  document.addEventListener("htmx:afterSettle", function (evt) {
    initAll(evt.target || document);
  });

  window.PortControlRouteMap = { init: initAll };
})();
