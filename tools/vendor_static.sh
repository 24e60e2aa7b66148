#!/usr/bin/env bash
# (Re)vendor the front-end files served by portcontrol.web from pinned npm packages.
#
# Run by a maintainer when a version below is bumped; the product itself only serves the
# files committed under portcontrol/web/static/vendor/ and never reaches a CDN.
# Needs node + npm and access to the npm registry. Usage: tools/vendor_static.sh
set -euo pipefail

HTMX_VERSION="2.0.11"
ECHARTS_VERSION="5.6.0"
WORLD_ATLAS_VERSION="2.0.2"
TOPOJSON_CLIENT_VERSION="3.1.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/portcontrol/web/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
mkdir -p "$OUT"

echo "Installing pinned packages into $TMP ..."
# --ignore-scripts: nothing from the packages runs at install time.
npm install --prefix "$TMP" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "htmx.org@$HTMX_VERSION" \
    "echarts@$ECHARTS_VERSION" \
    "world-atlas@$WORLD_ATLAS_VERSION" \
    "topojson-client@$TOPOJSON_CLIENT_VERSION" >/dev/null

NM="$TMP/node_modules"

# Check that npm resolved exactly the pinned versions.
check_version() {
    local pkg="$1" want="$2" got
    got="$(node -p "require('$NM/$pkg/package.json').version")"
    if [ "$got" != "$want" ]; then
        echo "$pkg: expected $want, got $got" >&2
        exit 1
    fi
}
check_version htmx.org "$HTMX_VERSION"
check_version echarts "$ECHARTS_VERSION"
check_version world-atlas "$WORLD_ATLAS_VERSION"
check_version topojson-client "$TOPOJSON_CLIENT_VERSION"

# htmx
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx.min.js"
cp "$NM/htmx.org/LICENSE" "$OUT/htmx.LICENSE.txt"

# ECharts: the full minified build. It bundles zrender, so its licence travels too.
cp "$NM/echarts/dist/echarts.min.js" "$OUT/echarts.min.js"
cp "$NM/echarts/LICENSE" "$OUT/echarts.LICENSE.txt"
cp "$NM/echarts/NOTICE" "$OUT/echarts.NOTICE.txt"
cp "$NM/zrender/LICENSE" "$OUT/zrender.LICENSE.txt"

# World map: Natural Earth 1:110m countries (public domain) as TopoJSON in world-atlas,
# converted to GeoJSON with topojson-client. Coordinates are rounded to 2 decimals and
# only the `name` property is kept, to keep the file small.
cp "$NM/world-atlas/LICENSE" "$OUT/world-atlas.LICENSE.txt"
cp "$NM/topojson-client/LICENSE" "$OUT/topojson-client.LICENSE.txt"
cat > "$TMP/topo2geo.js" <<'JS'
const fs = require("fs");
const path = require("path");
const nm = process.argv[2];
const out = process.argv[3];
const topojson = require(path.join(nm, "topojson-client"));
const topo = JSON.parse(fs.readFileSync(path.join(nm, "world-atlas", "countries-110m.json"), "utf8"));
const fc = topojson.feature(topo, topo.objects.countries);
const r = (v) => Math.round(v * 100) / 100;

// The TopoJSON is meant for spherical projections: a few rings (Russia, Fiji, Antarctica)
// jump from +180 to -180 longitude, which a flat map draws as lines across the world.
// Unwrap each ring into continuous longitudes, close rings that go round a pole, then clip
// it to the [-180, 180] window and its neighbours and shift the pieces back.
function unwrapRing(ring) {
  const out = [[ring[0][0], ring[0][1]]];
  let offset = 0;
  for (let i = 1; i < ring.length; i++) {
    const dx = ring[i][0] - ring[i - 1][0];
    if (dx > 180) offset -= 360;
    else if (dx < -180) offset += 360;
    out.push([ring[i][0] + offset, ring[i][1]]);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    // Goes round a pole: close it along the pole's latitude.
    const poleLat = out.reduce((s, p) => s + p[1], 0) / out.length < 0 ? -90 : 90;
    out.push([last[0], poleLat], [first[0], poleLat], [first[0], first[1]]);
  }
  return out;
}
function clipHalf(ring, keep, x0) {
  // Sutherland-Hodgman against the vertical line x = x0; keep(x) says which side stays.
  const out = [];
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    const ina = keep(a[0]);
    const inb = keep(b[0]);
    if (ina) out.push(a);
    if (ina !== inb) {
      const t = (x0 - a[0]) / (b[0] - a[0]);
      out.push([x0, a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}
function clipToWindow(ring, lo, hi) {
  let res = ring.slice(0, -1); // open ring
  res = clipHalf(res, (x) => x >= lo, lo);
  if (res.length) res = clipHalf(res, (x) => x <= hi, hi);
  if (res.length < 3) return null;
  res.push([res[0][0], res[0][1]]);
  return res;
}
function splitPolygon(poly) {
  const rings = poly.map(unwrapRing);
  let minX = Infinity, maxX = -Infinity;
  for (const ring of rings) for (const p of ring) { minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]); }
  if (minX >= -180 && maxX <= 180) return [rings];
  const pieces = [];
  for (let k = -2; k <= 2; k++) {
    const lo = k * 360 - 180, hi = k * 360 + 180;
    if (maxX <= lo || minX >= hi) continue;
    const outer = clipToWindow(rings[0], lo, hi);
    if (!outer) continue;
    const piece = [outer];
    for (const hole of rings.slice(1)) {
      const h = clipToWindow(hole, lo, hi);
      if (h) piece.push(h);
    }
    pieces.push(piece.map((ring) => ring.map((p) => [p[0] - k * 360, p[1]])));
  }
  return pieces;
}
function roundCoords(c) {
  if (typeof c[0] === "number") return [r(c[0]), r(c[1])];
  return c.map(roundCoords);
}
function dedupeRing(ring) {
  const res = [];
  for (const p of ring) {
    const last = res[res.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) res.push(p);
  }
  return res;
}
function clean(geom) {
  if (!geom) return null;
  let polys;
  if (geom.type === "Polygon") polys = [geom.coordinates];
  else if (geom.type === "MultiPolygon") polys = geom.coordinates;
  else return null;
  polys = polys.flatMap(splitPolygon);
  polys = polys
    .map((poly) => roundCoords(poly).map(dedupeRing).filter((ring) => ring.length >= 4))
    .filter((poly) => poly.length > 0);
  if (polys.length === 0) return null;
  return polys.length === 1
    ? { type: "Polygon", coordinates: polys[0] }
    : { type: "MultiPolygon", coordinates: polys };
}
const features = [];
for (const f of fc.features) {
  const geometry = clean(f.geometry);
  if (!geometry) continue;
  features.push({ type: "Feature", properties: { name: f.properties.name }, geometry });
}
features.sort((a, b) => (a.properties.name < b.properties.name ? -1 : a.properties.name > b.properties.name ? 1 : 0));
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features }) + "\n");
console.log(`world-110m.geojson: ${features.length} features`);
JS
node "$TMP/topo2geo.js" "$NM" "$OUT/world-110m.geojson"

echo "Vendored into $OUT:"
echo "  htmx.org $HTMX_VERSION, echarts $ECHARTS_VERSION (zrender $(node -p "require('$NM/zrender/package.json').version")),"
echo "  world-atlas $WORLD_ATLAS_VERSION via topojson-client $TOPOJSON_CLIENT_VERSION"
ls -l "$OUT"
