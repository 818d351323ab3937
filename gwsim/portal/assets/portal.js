/* gwsim information page: map (SVG), tables, report, provenance, files; Chinese and English.
   Plain JavaScript, no library, no request to any server: everything it shows is in the JSON
   element #gwsim-data of this file (written by gwsim.portal.page). */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("gwsim-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var UI = {
    zh: {
      map: "地图", tables: "数据表", report: "报告", provenance: "数据来源", files: "数据文件",
      layers: "图层", legend: "图例", props: "要素属性", clickHint: "点击地图要素查看属性",
      filter: "筛选…", download: "下载 CSV（当前显示的行）", rows: "行", time: "污染羽时间（d）",
      requirements: "管控要求", keyzones: "重点区划及管控要求", zoomIn: "放大", zoomOut: "缩小",
      reset: "全图", zoomRun: "缩放到此运行", key: "项目", value: "值", noData: "无", lang: "English",
      reportLang: "报告正文由模型自动生成，目前为英文。", figures: "图件", notes: "说明",
      latlon: "经纬度为多项式近似（最大误差 {e} m）", run: "运行", generated: "生成时间",
      area: "面积（ha）", noFeatures: "此运行没有可显示在地图上的图层。",
      bandLow: "0.1–1 倍 III 类限值", bandHigh: "超过 III 类限值", rank: "风险排序",
      numerical: "数值法", empirical: "经验法", contour: "等水位线", river: "河流",
      well: "抽水井", monitoring: "监测井", enterprise: "企业", generic: "其他要素",
      class1: "一级保护区", class2: "二级保护区", quasi: "准保护区",
      sourceWell: "水源井", wall: "垂直防渗墙", barrier: "可渗透反应墙", containment: "水力截获井"
    },
    en: {
      map: "Map", tables: "Tables", report: "Report", provenance: "Provenance", files: "Data files",
      layers: "Layers", legend: "Legend", props: "Feature properties",
      clickHint: "Click a feature on the map to see its properties",
      filter: "Filter…", download: "Download CSV (rows shown)", rows: "rows",
      time: "Plume time (d)", requirements: "Management requirements",
      keyzones: "Key zones and management requirements", zoomIn: "Zoom in", zoomOut: "Zoom out",
      reset: "Whole map", zoomRun: "Zoom to this run", key: "Key", value: "Value", noData: "none", lang: "中文",
      reportLang: "", figures: "Figures", notes: "Notes",
      latlon: "lat/lon from a polynomial approximation (largest error {e} m)", run: "Run",
      generated: "Generated", area: "area (ha)",
      noFeatures: "This run has no layer to show on the map.",
      bandLow: "0.1–1 × Class III limit", bandHigh: "above the Class III limit", rank: "risk rank",
      numerical: "numerical", empirical: "empirical", contour: "head contour", river: "river",
      well: "pumping well", monitoring: "monitoring well", enterprise: "enterprise",
      generic: "other features", class1: "class 1 zone", class2: "class 2 zone",
      quasi: "outer (quasi-protection) zone",
      sourceWell: "source well", wall: "cut-off wall", barrier: "permeable reactive barrier",
      containment: "containment well"
    }
  };
  var ZONE_COLORS = { class1: "#d7301f", class2: "#fc8d59", quasi: "#fdd49e" };
  var KEYZONE_COLORS = ["#2b8cbe", "#7b3294", "#d7191c", "#fdae61", "#fff3a0", "#66c2a5",
    "#8da0cb", "#e78ac3", "#a6d854", "#b3b3b3"];
  var ORDER = { keyzones: 0, zones: 1, generic: 2, probability: 3, protection_numerical: 4,
    protection_empirical: 5, plume: 6, rivers: 7, contours: 8, reactive_barrier: 9, enterprises: 10,
    cutoff_wall: 11, wells: 12, monitoring: 13, receptors: 14, containment_well: 15 };
  var state = {
    lang: "zh", tab: "map", visible: {}, plumeTime: null, selected: null, clicked: null,
    view: null, sort: {}, filter: {}
  };

  function t(key) { return UI[state.lang][key]; }
  function txt(obj) {
    if (obj === null || obj === undefined) return "";
    if (typeof obj === "object" && !Array.isArray(obj)) return obj[state.lang] || obj.en || "";
    return String(obj);
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function colTitle(col) { return DATA.columns[col] ? txt(DATA.columns[col]) : col; }

  /* ------------------------------------------------------------ layers and styles */
  var LAYERS = [];
  DATA.runs.forEach(function (run, ri) {
    run.layers.forEach(function (layer) {
      var id = ri + "/" + layer.key;
      LAYERS.push({ id: id, run: run, layer: layer });
      state.visible[id] = layer.visible;
    });
  });
  LAYERS.sort(function (a, b) {
    return (ORDER[a.layer.style] || 2) - (ORDER[b.layer.style] || 2);
  });
  var keyzoneColor = {};
  LAYERS.forEach(function (l) {
    if (l.layer.style !== "keyzones") return;
    l.layer.features.forEach(function (f, i) {
      var code = f.properties.code !== undefined ? f.properties.code : i + 1;
      keyzoneColor[f.properties.zone] = KEYZONE_COLORS[(code - 1) % KEYZONE_COLORS.length];
    });
  });

  function probabilityOf(p) {
    return p.probability_at_least !== undefined ? p.probability_at_least : p.probability;
  }
  function style(layer, f) {
    var p = f.properties, s = layer.style;
    if (s === "protection_numerical" || s === "zones")
      return { fill: ZONE_COLORS[p.zone] || "#fdd49e", fo: 0.45, stroke: "#7f2704", sw: 1 };
    if (s === "protection_empirical")
      return { fill: "none", fo: 0, stroke: ZONE_COLORS[p.zone] || "#555", sw: 2, dash: "6 4" };
    if (s === "keyzones")
      return { fill: keyzoneColor[p.zone] || "#ccc", fo: 0.5, stroke: "#444", sw: 0.6 };
    if (s === "probability") {
      var pr = Number(probabilityOf(p)), g = isNaN(pr) ? 0.5 : pr;
      return { fill: "rgb(" + Math.round(255 - 200 * g) + "," + Math.round(255 - 90 * g) + ","
        + Math.round(255 - 200 * g) + ")", fo: 0.55, stroke: "#1b7837", sw: 1 };
    }
    if (s === "plume")
      return { fill: p.band ? "#e34a33" : "#fdbb84", fo: 0.6, stroke: "#b30000", sw: 0.6 };
    if (s === "rivers") return { fill: "#6baed6", fo: 0.8, stroke: "#2171b5", sw: 1 };
    if (s === "contours") return { fill: "none", fo: 0, stroke: "#4682b4", sw: 1 };
    if (s === "enterprises") return { fill: "#a50f15", fo: 0.2, stroke: "#67000d", sw: 2 };
    if (s === "cutoff_wall") return { fill: "none", fo: 0, stroke: "#111111", sw: 4 };
    if (s === "reactive_barrier") return { fill: "#6a3d9a", fo: 0.45, stroke: "#3f007d", sw: 1.5 };
    return { fill: "#999999", fo: 0.25, stroke: "#555555", sw: 1 };
  }
  var POINT = {
    wells: { r: 5, fill: "#08519c", stroke: "#fff", shape: "circle" },
    monitoring: { r: 6, fill: "#31a354", stroke: "#fff", shape: "triangle" },
    enterprises: { r: 8, fill: "#a50f15", stroke: "#fff", shape: "square" },
    source_well: { r: 6, fill: "#cb181d", stroke: "#fff", shape: "circle" },
    containment_well: { r: 7, fill: "#ff7f00", stroke: "#fff", shape: "diamond" },
    generic: { r: 4, fill: "#555", stroke: "#fff", shape: "circle" }
  };
  /* receptors take the style of their kind (source or monitoring well) */
  function pointStyle(layer, f) {
    if (layer.style === "receptors")
      return f.properties.kind === "monitoring_well" ? POINT.monitoring : POINT.source_well;
    return POINT[layer.style] || POINT.generic;
  }
  function ringCentre(g) {
    var ring = g.type === "Polygon" ? g.coordinates[0] : g.type === "MultiPolygon" ? g.coordinates[0][0] : null;
    if (!ring) return null;
    var xs = ring.map(function (p) { return p[0]; }), ys = ring.map(function (p) { return p[1]; });
    return [(Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2, (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2];
  }

  function featureShown(layer, f) {
    return layer.style !== "plume" || f.properties.time_d === plumeTimeOf(layer);
  }
  function plumeTimeOf(layer) {
    var times = layer.times || [], best = times[0];
    times.forEach(function (x) { if (x <= state.plumeTime) best = x; });
    return best;
  }

  /* ------------------------------------------------------------ map */
  var map = {};
  function toLonLat(x, y) {
    var f = DATA.lonlat;
    if (!f) return null;
    var dx = (x - f.x0) / 1000, dy = (y - f.y0) / 1000, v = [1, dx, dy, dx * dx, dx * dy, dy * dy];
    var lon = 0, lat = 0;
    for (var i = 0; i < 6; i++) { lon += f.lon[i] * v[i]; lat += f.lat[i] * v[i]; }
    return [lon, lat];
  }
  function ringPath(ring, ox, oy) {
    return ring.map(function (p, i) {
      return (i ? "L" : "M") + (p[0] - ox).toFixed(2) + " " + (p[1] - oy).toFixed(2);
    }).join("");
  }
  function geometryPath(g, ox, oy) {
    if (g.type === "Polygon") return g.coordinates.map(function (r) { return ringPath(r, ox, oy) + "Z"; }).join("");
    if (g.type === "MultiPolygon") return g.coordinates.map(function (p) { return geometryPath({ type: "Polygon", coordinates: p }, ox, oy); }).join("");
    if (g.type === "LineString") return ringPath(g.coordinates, ox, oy);
    if (g.type === "MultiLineString") return g.coordinates.map(function (l) { return ringPath(l, ox, oy); }).join("");
    return "";
  }
  function pointsOf(g) {
    if (g.type === "Point") return [g.coordinates];
    if (g.type === "MultiPoint") return g.coordinates;
    return [];
  }

  function buildMap(container) {
    var b = DATA.bounds;
    if (!b) { container.appendChild(el("p", { text: t("noFeatures") })); return; }
    var wrap = el("div", { "class": "mapwrap" });
    var box = el("div", { "class": "mapbox", id: "map" });
    var s = svg("svg", { id: "mapsvg", role: "img" });
    var world = svg("g", { id: "world" }), marks = svg("g", { id: "marks" });
    s.appendChild(world); s.appendChild(marks);
    box.appendChild(s);
    var tools = el("div", { "class": "maptools" }, [
      el("button", { type: "button", title: t("zoomIn"), text: "+", onclick: function () { zoom(1.5); } }),
      el("button", { type: "button", title: t("zoomOut"), text: "−", onclick: function () { zoom(1 / 1.5); } }),
      el("button", { type: "button", title: t("reset"), text: "⌂", onclick: function () { fit(); redraw(); } })
    ]);
    box.appendChild(tools);
    box.appendChild(el("div", { "class": "scalebar", id: "scalebar" }));
    box.appendChild(el("div", { "class": "coords", id: "coords", text: DATA.crs || "" }));
    var side = el("div", { "class": "mapside" });
    wrap.appendChild(box); wrap.appendChild(side);
    container.appendChild(wrap);
    map = { svg: s, world: world, marks: marks, side: side, ox: b[0], oy: b[1] };
    if (!state.view) fit();
    drawFeatures(); sidePanel(); redraw();
    var drag = null;
    s.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY, moved: false }; });
    window.addEventListener("pointerup", function () { setTimeout(function () { drag = null; }, 0); });
    s.addEventListener("pointermove", function (e) {
      showCoords(e);
      if (!drag || !e.buttons) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      state.view.cx -= dx / state.view.k; state.view.cy += dy / state.view.k;
      drag.x = e.clientX; drag.y = e.clientY; redraw();
    });
    s.addEventListener("wheel", function (e) {
      e.preventDefault();
      var w = worldAt(e), f = e.deltaY < 0 ? 1.25 : 0.8;
      state.view.cx = w[0] - (w[0] - state.view.cx) / f;
      state.view.cy = w[1] - (w[1] - state.view.cy) / f;
      state.view.k *= f; redraw();
    }, { passive: false });
    s.addEventListener("click", function (e) {
      if (drag && drag.moved) return;
      var target = e.target.__feature ? e.target : null;
      state.selected = target ? target.__feature : null;
      state.clicked = worldAt(e);
      sidePanel();
    });
  }
  function size() { var r = map.svg.getBoundingClientRect(); return [r.width || 800, r.height || 600]; }
  function fit(bounds) {
    var b = bounds || DATA.bounds, sz = size();
    var k = Math.min(sz[0] / Math.max(b[2] - b[0], 1), sz[1] / Math.max(b[3] - b[1], 1)) * 0.92;
    state.view = { cx: (b[0] + b[2]) / 2, cy: (b[1] + b[3]) / 2, k: k };
  }
  function zoom(f) { state.view.k *= f; redraw(); }
  function worldAt(e) {
    var r = map.svg.getBoundingClientRect(), sz = size(), v = state.view;
    return [v.cx + (e.clientX - r.left - sz[0] / 2) / v.k, v.cy - (e.clientY - r.top - sz[1] / 2) / v.k];
  }
  function coordText(w) {
    var ll = toLonLat(w[0], w[1]);
    var text = "E " + w[0].toFixed(1) + "  N " + w[1].toFixed(1) + " m (" + (DATA.crs || "model") + ")";
    if (ll) text += "  ·  " + ll[1].toFixed(5) + "°N " + ll[0].toFixed(5) + "°E";
    return text;
  }
  function showCoords(e) { document.getElementById("coords").textContent = coordText(worldAt(e)); }
  function drawFeatures() {
    var world = map.world;
    while (world.firstChild) world.removeChild(world.firstChild);
    LAYERS.forEach(function (l) {
      var g = svg("g", { "data-layer": l.id });
      g.style.display = state.visible[l.id] ? "" : "none";
      l.layer.features.forEach(function (f) {
        if (pointsOf(f.geometry).length || !featureShown(l.layer, f)) return;
        var st = style(l.layer, f);
        var p = svg("path", { d: geometryPath(f.geometry, map.ox, map.oy), fill: st.fill,
          "fill-opacity": st.fo, stroke: st.stroke, "stroke-width": st.sw,
          "vector-effect": "non-scaling-stroke", "fill-rule": "evenodd" });
        if (st.dash) p.setAttribute("stroke-dasharray", st.dash);
        p.__feature = { layer: l, feature: f };
        g.appendChild(p);
      });
      world.appendChild(g);
    });
  }
  function drawMarks() {
    var marks = map.marks, v = state.view, sz = size();
    while (marks.firstChild) marks.removeChild(marks.firstChild);
    LAYERS.forEach(function (l) {
      if (!state.visible[l.id]) return;
      l.layer.features.forEach(function (f) {
        var ps = pointStyle(l.layer, f), at = pointsOf(f.geometry);
        /* an enterprise footprint carries its rank in a square at its centre */
        if (!at.length && l.layer.style === "enterprises" && f.properties.risk_rank !== undefined) at = [ringCentre(f.geometry)];
        at.forEach(function (c) {
          var x = sz[0] / 2 + (c[0] - v.cx) * v.k, y = sz[1] / 2 - (c[1] - v.cy) * v.k, m;
          if (ps.shape === "square") m = svg("rect", { x: x - ps.r, y: y - ps.r, width: 2 * ps.r, height: 2 * ps.r });
          else if (ps.shape === "triangle") m = svg("path", { d: "M" + x + " " + (y - ps.r) + "L" + (x + ps.r) + " " + (y + ps.r) + "L" + (x - ps.r) + " " + (y + ps.r) + "Z" });
          else if (ps.shape === "diamond") m = svg("path", { d: "M" + x + " " + (y - ps.r) + "L" + (x + ps.r) + " " + y + "L" + x + " " + (y + ps.r) + "L" + (x - ps.r) + " " + y + "Z" });
          else m = svg("circle", { cx: x, cy: y, r: ps.r });
          m.setAttribute("fill", ps.fill); m.setAttribute("stroke", ps.stroke);
          m.setAttribute("data-layer", l.id);
          m.__feature = { layer: l, feature: f };
          marks.appendChild(m);
          if (l.layer.style === "enterprises") {
            var label = svg("text", { x: x, y: y + 4, "text-anchor": "middle", "class": "ranklabel" });
            label.textContent = f.properties.risk_rank; label.__feature = m.__feature;
            marks.appendChild(label);
          }
        });
      });
    });
  }
  function redraw() {
    var v = state.view, sz = size();
    map.world.setAttribute("transform", "translate(" + sz[0] / 2 + " " + sz[1] / 2 + ") scale(" + v.k + " " + (-v.k) + ") translate(" + (map.ox - v.cx) + " " + (map.oy - v.cy) + ")");
    drawMarks();
    var target = 120 / v.k, p = Math.pow(10, Math.floor(Math.log10(target))), len = p;
    [5, 2, 1].some(function (m) { if (m * p <= target) { len = m * p; return true; } return false; });
    var bar = document.getElementById("scalebar");
    bar.style.width = Math.round(len * v.k) + "px";
    bar.textContent = len >= 1000 ? len / 1000 + " km" : len + " m";
  }

  function legendEntries(l) {
    var s = l.layer.style, seen = {}, out = [];
    function add(key, label, swatch) { if (!seen[key]) { seen[key] = 1; out.push([label, swatch]); } }
    l.layer.features.forEach(function (f) {
      var p = f.properties, st = style(l.layer, f);
      if (s === "keyzones") add(p.zone, txt({ en: p.name_en, zh: p.name_zh }), st);
      else if (s.indexOf("protection") === 0 || s === "zones") add(p.zone, (UI[state.lang][p.zone] || p.zone) + (p.travel_time_d ? " (" + p.travel_time_d + " d)" : ""), st);
      else if (s === "plume") add(p.band, p.band ? t("bandHigh") : t("bandLow"), st);
      else if (s === "contours") add("c", t("contour"), st);
      else if (s === "rivers") add("r", t("river"), st);
      else if (s === "enterprises") add("e", t("enterprise"), pointsOf(f.geometry).length ? { point: POINT.enterprises } : st);
      else if (s === "cutoff_wall") add("w", t("wall") + (p.thickness_m ? " (" + p.thickness_m + " m, k = " + p.k_m_per_d + " m/d)" : ""), st);
      else if (s === "reactive_barrier") add("b", t("barrier"), st);
      else if (s === "receptors") add(p.kind, t(p.kind === "monitoring_well" ? "monitoring" : "sourceWell"), { point: pointStyle(l.layer, f) });
      else if (POINT[s]) add(s, t({ wells: "well", monitoring: "monitoring", containment_well: "containment" }[s] || "generic"), { point: POINT[s] });
      else if (s === "probability") add(probabilityOf(p), "P ≥ " + probabilityOf(p), st);
      else add("g", t("generic"), pointsOf(f.geometry).length ? { point: POINT.generic } : st);
    });
    return out;
  }
  function swatch(st) {
    var s = svg("svg", { width: 18, height: 12, "class": "swatch" });
    if (st.point) s.appendChild(svg("circle", { cx: 9, cy: 6, r: 5, fill: st.point.fill }));
    else if (st.fill === "none") s.appendChild(svg("line", { x1: 1, y1: 6, x2: 17, y2: 6, stroke: st.stroke, "stroke-width": 2, "stroke-dasharray": st.dash || "" }));
    else s.appendChild(svg("rect", { x: 1, y: 1, width: 16, height: 10, fill: st.fill, "fill-opacity": Math.max(st.fo, 0.4), stroke: st.stroke }));
    return s;
  }
  function sidePanel() {
    var side = map.side;
    while (side.firstChild) side.removeChild(side.firstChild);
    side.appendChild(el("h3", { text: t("layers") }));
    var times = {};
    LAYERS.forEach(function (l) { (l.layer.times || []).forEach(function (x) { times[x] = 1; }); });
    var tlist = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    if (tlist.length) {
      if (state.plumeTime === null) state.plumeTime = tlist[tlist.length - 1];
      var sel = el("select", { id: "plumetime", onchange: function (e) { state.plumeTime = Number(e.target.value); drawFeatures(); } });
      tlist.forEach(function (x) { var o = el("option", { value: x, text: x }); if (x === state.plumeTime) o.selected = true; sel.appendChild(o); });
      side.appendChild(el("label", { "class": "timesel", text: t("time") + " " }, [sel]));
    }
    DATA.runs.forEach(function (run, ri) {
      var mine = LAYERS.filter(function (l) { return l.run === run; });
      if (!mine.length) return;
      if (DATA.runs.length > 1) {
        side.appendChild(el("h4", {}, [document.createTextNode(run.name + " "), run.bounds ? el("button", {
          type: "button", "class": "zoomrun", title: t("zoomRun"), text: "⌖",
          onclick: function () { fit(run.bounds); redraw(); } }) : null]));
      }
      mine.slice().reverse().forEach(function (l) {
        var box = el("input", { type: "checkbox", "data-layer": l.id, onchange: function (e) {
          state.visible[l.id] = e.target.checked;
          map.world.querySelector('[data-layer="' + l.id + '"]').style.display = e.target.checked ? "" : "none";
          drawMarks(); sidePanel();
        } });
        box.checked = !!state.visible[l.id];
        var row = el("label", { "class": "layer" }, [box, document.createTextNode(" " + txt(l.layer.title) + " (" + l.layer.features.length + ")")]);
        side.appendChild(row);
      });
      run.notes.forEach(function (n) { side.appendChild(el("p", { "class": "small note", text: n })); });
      void ri;
    });
    side.appendChild(el("h3", { text: t("legend") }));
    var legend = el("div", { "class": "legend" });
    LAYERS.forEach(function (l) {
      if (!state.visible[l.id]) return;
      legendEntries(l).forEach(function (e) {
        legend.appendChild(el("div", {}, [e[1].point || e[1].fill ? swatch(e[1]) : null, document.createTextNode(" " + e[0])]));
      });
    });
    side.appendChild(legend);
    side.appendChild(el("h3", { text: t("props") }));
    side.appendChild(propsPanel());
    if (DATA.lonlat) side.appendChild(el("p", { "class": "small", text: t("latlon").replace("{e}", DATA.lonlat.max_error_m.toPrecision(2)) }));
  }
  function requirementsBlock(p) {
    var first = state.lang, other = first === "zh" ? "en" : "zh", div = el("div", { "class": "req" });
    [first, other].forEach(function (lang, i) {
      var items = p["requirements_" + lang] || [];
      if (!items.length) return;
      var ul = el("ul", { "class": i ? "other" : "", lang: lang });
      items.forEach(function (r) { ul.appendChild(el("li", { text: r })); });
      div.appendChild(ul);
    });
    return div;
  }
  function propsPanel() {
    var sel = state.selected;
    if (!sel) return el("p", { "class": "small", text: t("clickHint") });
    var box = el("div", { "class": "props", id: "props" });
    box.appendChild(el("p", {}, [el("b", { text: txt(sel.layer.layer.title) })]));
    if (state.clicked) box.appendChild(el("p", { "class": "small", text: coordText(state.clicked) }));
    var tbody = el("tbody");
    Object.keys(sel.feature.properties).forEach(function (k) {
      if (k.indexOf("requirements") === 0) return;
      var v = sel.feature.properties[k];
      tbody.appendChild(el("tr", {}, [el("th", { text: colTitle(k) }), el("td", { text: Array.isArray(v) ? v.join(", ") : String(v) })]));
    });
    box.appendChild(el("table", {}, [tbody]));
    if (sel.layer.layer.style === "keyzones") {
      box.appendChild(el("h4", { text: t("requirements") }));
      box.appendChild(requirementsBlock(sel.feature.properties));
    }
    return box;
  }

  /* ------------------------------------------------------------ key zones */
  function keyzonePanel(container) {
    LAYERS.forEach(function (l) {
      if (l.layer.style !== "keyzones") return;
      var sec = el("section", { "class": "keyzones" }, [el("h2", { text: t("keyzones") + (DATA.runs.length > 1 ? " · " + l.run.name : "") })]);
      l.layer.features.forEach(function (f) {
        var p = f.properties, st = style(l.layer, f);
        sec.appendChild(el("div", { "class": "zone", "data-zone": p.zone }, [
          el("h3", {}, [swatch(st), document.createTextNode(" " + txt({ en: p.name_en, zh: p.name_zh }) + " / " + (state.lang === "zh" ? p.name_en : p.name_zh) + (p.area_ha !== undefined ? " · " + p.area_ha + " ha" : ""))]),
          requirementsBlock(p)
        ]));
      });
      container.appendChild(sec);
    });
  }

  /* ------------------------------------------------------------ tables */
  function num(s) { var v = Number(s); return s !== "" && !isNaN(v) ? v : null; }
  function csvCell(s) { return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function tableSection(run, ri, table) {
    var id = ri + "/" + table.key, sec = el("section", { "class": "table" });
    sec.appendChild(el("h3", { text: txt(table.title) + (DATA.runs.length > 1 ? " · " + run.name : "") }));
    var filter = el("input", { type: "search", placeholder: t("filter"), value: state.filter[id] || "" });
    var link = el("a", { "class": "button", download: (run.name + "_" + table.key + ".csv").replace(/[^\w.-]+/g, "_"), text: t("download") });
    var count = el("span", { "class": "small" });
    sec.appendChild(el("div", { "class": "tabletools" }, [filter, link, count]));
    var tb = el("table", { "class": "data", "data-table": run.name + "/" + table.key });
    var thead = el("thead"), hr = el("tr");
    table.columns.forEach(function (c, ci) {
      var s = state.sort[id], mark = s && s.col === ci ? (s.dir > 0 ? " ▲" : " ▼") : "";
      hr.appendChild(el("th", { title: c, "data-col": c, text: colTitle(c) + mark, onclick: function () {
        var cur = state.sort[id];
        state.sort[id] = { col: ci, dir: cur && cur.col === ci ? -cur.dir : 1 };
        sec.replaceWith(tableSection(run, ri, table));
      } }));
    });
    thead.appendChild(hr); tb.appendChild(thead);
    var tbody = el("tbody");
    tb.appendChild(tbody);
    function fill() {
      var q = (filter.value || "").toLowerCase(), s = state.sort[id];
      state.filter[id] = filter.value;
      var rows = table.rows.filter(function (r) { return !q || r.join(" ").toLowerCase().indexOf(q) >= 0; });
      if (s) rows = rows.slice().sort(function (a, b) {
        var x = num(a[s.col]), y = num(b[s.col]);
        if (x !== null && y !== null) return s.dir * (x - y);
        if (x !== null) return -1;
        if (y !== null) return 1;
        return s.dir * String(a[s.col]).localeCompare(String(b[s.col]));
      });
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      rows.forEach(function (r) {
        var tr = el("tr");
        r.forEach(function (v) { tr.appendChild(el("td", { text: v, "class": num(v) !== null ? "num" : "" })); });
        tbody.appendChild(tr);
      });
      count.textContent = rows.length + " / " + table.rows.length + " " + t("rows");
      var text = [table.columns].concat(rows).map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
      link.setAttribute("href", "data:text/csv;charset=utf-8," + encodeURIComponent("\ufeff" + text));
    }
    filter.addEventListener("input", fill);
    fill();
    sec.appendChild(el("div", { "class": "scroll" }, [tb]));
    if (table.file) sec.appendChild(el("p", { "class": "small" }, [el("a", { href: run.href + table.file, text: table.file })]));
    return sec;
  }

  /* ------------------------------------------------------------ report, provenance, files */
  function reportSection(container) {
    if (t("reportLang")) container.appendChild(el("p", { "class": "small", text: t("reportLang") }));
    DATA.runs.forEach(function (run) {
      var sec = el("section", { "class": "report" });
      if (DATA.runs.length > 1) sec.appendChild(el("h2", { text: t("run") + ": " + run.name }));
      if (run.notes.length) {
        var ul = el("ul", { "class": "notes" });
        run.notes.forEach(function (n) { ul.appendChild(el("li", { text: n })); });
        sec.appendChild(ul);
      }
      run.texts.forEach(function (doc) { sec.appendChild(el("article", { "class": "md", "data-file": doc.name, html: doc.html })); });
      if (run.figures.length) {
        sec.appendChild(el("h3", { text: t("figures") }));
        run.figures.forEach(function (f) {
          sec.appendChild(el("figure", {}, [el("img", { src: f.uri, alt: f.name }), el("figcaption", { text: f.name })]));
        });
      }
      container.appendChild(sec);
    });
  }
  function provenanceSection(container) {
    DATA.runs.forEach(function (run) {
      var merged = {};
      Object.keys(run.provenance).forEach(function (file) {
        var attrs = run.provenance[file];
        Object.keys(attrs).forEach(function (k) {
          merged[k] = merged[k] || {};
          (merged[k][attrs[k]] = merged[k][attrs[k]] || []).push(file);
        });
      });
      var tbody = el("tbody");
      Object.keys(merged).sort().forEach(function (k) {
        var values = Object.keys(merged[k]), td = el("td");
        values.forEach(function (v) {
          td.appendChild(el("div", { text: values.length > 1 ? v + "  [" + merged[k][v].join(", ") + "]" : v }));
        });
        tbody.appendChild(el("tr", {}, [el("th", { text: k }), td]));
      });
      container.appendChild(el("section", {}, [el("h2", { text: t("run") + ": " + run.name }),
        el("table", { "class": "data prov" }, [el("thead", {}, [el("tr", {}, [el("th", { text: t("key") }), el("th", { text: t("value") })])]), tbody])]));
    });
    container.appendChild(el("p", { "class": "small", text: t("generated") + ": " + DATA.generated + " · gwsim " + DATA.gwsim_version }));
  }
  function filesSection(container) {
    DATA.runs.forEach(function (run) {
      var ul = el("ul", { "class": "files" });
      run.files.forEach(function (f) { ul.appendChild(el("li", {}, [el("a", { href: run.href + f, text: f })])); });
      container.appendChild(el("section", {}, [el("h2", { text: t("run") + ": " + run.name }), ul]));
    });
  }

  /* ------------------------------------------------------------ page */
  var TABS = ["map", "tables", "report", "provenance", "files"];
  function render() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.body.innerHTML = "";
    var header = el("header", {}, [
      el("h1", { text: txt(DATA.title) }),
      el("button", { type: "button", id: "lang", "class": "lang", text: t("lang"), onclick: function () {
        state.lang = state.lang === "zh" ? "en" : "zh"; render();
      } })
    ]);
    var nav = el("nav");
    TABS.forEach(function (tab) {
      nav.appendChild(el("button", { type: "button", "data-tab": tab, "class": tab === state.tab ? "on" : "", text: t(tab), onclick: function () { state.tab = tab; render(); } }));
    });
    var main = el("main", { "data-tab": state.tab });
    document.body.appendChild(header); document.body.appendChild(nav); document.body.appendChild(main);
    if (state.tab === "map") { buildMap(main); keyzonePanel(main); }
    if (state.tab === "tables") DATA.runs.forEach(function (run, ri) { run.tables.forEach(function (tb) { main.appendChild(tableSection(run, ri, tb)); }); });
    if (state.tab === "report") reportSection(main);
    if (state.tab === "provenance") provenanceSection(main);
    if (state.tab === "files") filesSection(main);
  }
  window.addEventListener("resize", function () { if (state.tab === "map" && map.svg) redraw(); });
  render();
})();
