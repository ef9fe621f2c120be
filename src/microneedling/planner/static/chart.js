/* Face chart on the patient page: place markers by clicking the face drawing, select and remove them, see the
   counts per zone and type, save the visit's chart (PUT /api/patients/{id}/chart) and compare two visits side
   by side (GET /api/patients/{id}/charts). Marker positions are fractions (0-1) of the drawing's width and
   height. */
(function () {
  "use strict";
  var section = document.getElementById("chart");
  if (!section) { return; }
  var SVG_NS = "http://www.w3.org/2000/svg";
  var W = 300, H = 380;
  var RADIUS = { small: 4, medium: 5.5, large: 7.5 };
  var TYPES = ["icepick", "boxcar", "rolling", "macular", "hypertrophic"];
  var ATROPHIC = { icepick: true, boxcar: true, rolling: true };
  var patient = section.dataset.patient;
  var csrf = section.dataset.csrf;
  var face = section.querySelector(".chart-face svg.face");
  var template = face.cloneNode(true);
  var status = document.getElementById("chart-status");
  var removeButton = document.getElementById("marker-remove");
  var markers = [];
  var selected = -1;
  var history = [];

  function byId(id) { return document.getElementById(id); }

  function say(text, isError) {
    status.textContent = text;
    status.className = "chart-status" + (isError ? " error" : "");
  }

  function drawMarkers(svg, list, chosen) {
    var layer = svg.querySelector(".markers");
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    list.forEach(function (m, i) {
      var c = document.createElementNS(SVG_NS, "circle");
      c.setAttribute("cx", (m.x * W).toFixed(2));
      c.setAttribute("cy", (m.y * H).toFixed(2));
      c.setAttribute("r", RADIUS[m.size] || RADIUS.medium);
      c.setAttribute("class", "marker m-" + m.type + (i === chosen ? " selected" : ""));
      c.dataset.index = String(i);
      var t = document.createElementNS(SVG_NS, "title");
      t.textContent = m.type + " (" + m.size + "), " + m.zone +
        (m.depth_mm ? ", depth " + m.depth_mm + " mm" : "") + (m.width_mm ? ", width " + m.width_mm + " mm" : "");
      c.appendChild(t);
      layer.appendChild(c);
    });
  }

  function countsOf(list) {
    var out = {};
    list.forEach(function (m) {
      out[m.zone] = out[m.zone] || {};
      out[m.zone][m.type] = (out[m.zone][m.type] || 0) + 1;
    });
    return out;
  }

  function showCounts() {
    var body = section.querySelector("#chart-counts tbody");
    var counts = countsOf(markers);
    body.textContent = "";
    var zones = Object.keys(counts).sort();
    if (!zones.length) {
      var empty = body.insertRow();
      var cell = empty.insertCell();
      cell.colSpan = 3;
      cell.textContent = "No marker placed.";
    }
    zones.forEach(function (z) {
      var row = body.insertRow();
      row.insertCell().textContent = z;
      var total = 0, parts = [];
      TYPES.forEach(function (t) {
        var n = counts[z][t] || 0;
        total += n;
        if (n) { parts.push(t + " " + n); }
      });
      row.insertCell().textContent = parts.join(", ");
      row.insertCell().textContent = String(total);
    });
  }

  function redraw() {
    drawMarkers(face, markers, selected);
    removeButton.disabled = selected < 0;
    showCounts();
  }

  function choice() {
    var checked = section.querySelector("input[name=marker_type]:checked");
    return checked ? checked.value : "boxcar";
  }

  function optionalNumber(id) {
    var v = byId(id).value.trim();
    return v === "" ? null : Number(v);
  }

  function toDrawing(evt) {
    var pt = face.createSVGPoint();
    pt.x = evt.clientX;
    pt.y = evt.clientY;
    var p = pt.matrixTransform(face.getScreenCTM().inverse());
    return { x: Math.min(1, Math.max(0, p.x / W)), y: Math.min(1, Math.max(0, p.y / H)) };
  }

  face.addEventListener("click", function (evt) {
    var target = evt.target;
    if (target.classList.contains("marker")) {
      var i = Number(target.dataset.index);
      selected = selected === i ? -1 : i;
      redraw();
      return;
    }
    var region = target.closest(".region");
    if (!region) { return; }
    var pos = toDrawing(evt);
    var type = choice();
    var m = { zone: region.dataset.zone, x: Number(pos.x.toFixed(4)), y: Number(pos.y.toFixed(4)), type: type,
              size: byId("marker-size").value };
    if (ATROPHIC[type]) {
      var depth = optionalNumber("marker-depth"), width = optionalNumber("marker-width");
      if (depth !== null) { m.depth_mm = depth; }
      if (width !== null) { m.width_mm = width; }
    }
    markers.push(m);
    selected = -1;
    say(markers.length + " marker(s) placed, not saved yet.", false);
    redraw();
  });

  removeButton.addEventListener("click", function () {
    if (selected >= 0) { markers.splice(selected, 1); }
    selected = -1;
    say(markers.length + " marker(s) placed, not saved yet.", false);
    redraw();
  });

  byId("chart-clear").addEventListener("click", function () {
    markers = [];
    selected = -1;
    say("Chart cleared, not saved yet.", false);
    redraw();
  });

  // the input a refused field was entered in: its message goes beside it (aria-invalid, aria-describedby)
  var INPUT_OF = { depth_mm: "marker-depth", width_mm: "marker-width", visit_date: "chart-date", size: "marker-size" };

  function clearFieldErrors() {
    Object.keys(INPUT_OF).forEach(function (k) {
      var input = byId(INPUT_OF[k]), note = byId(INPUT_OF[k] + "-error");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (note) { note.parentNode.removeChild(note); }
    });
  }

  function markField(loc, message) {
    var names = loc.filter(function (p) { return typeof p === "string" && p !== "body"; });
    var id = INPUT_OF[names[names.length - 1]];
    if (!id || byId(id + "-error")) { return; }
    var input = byId(id), note = document.createElement("span");
    note.className = "field-error";
    note.id = id + "-error";
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.parentNode.appendChild(note);
  }

  // the API's plain message of each problem ("message"), with the marker it concerns
  function messageOf(body) {
    if (!body || body.detail === undefined) { return "the chart could not be saved"; }
    if (typeof body.detail === "string") { return body.detail; }
    return body.detail.map(function (d) {
      var loc = d.loc || [], text = d.message || d.msg;
      markField(loc, text);
      var at = loc.indexOf("markers");
      return (at >= 0 && typeof loc[at + 1] === "number" ? "marker " + (loc[at + 1] + 1) + ": " : "") + text;
    }).join("; ");
  }

  function payload() {
    var date = byId("chart-date").value;
    var out = { markers: markers.map(function (m) {
      var c = { zone: m.zone, x: m.x, y: m.y, type: m.type, size: m.size };
      if (m.depth_mm !== null && m.depth_mm !== undefined && ATROPHIC[m.type]) { c.depth_mm = m.depth_mm; }
      if (m.width_mm !== null && m.width_mm !== undefined && ATROPHIC[m.type]) { c.width_mm = m.width_mm; }
      return c;
    }) };
    if (date) { out.visit_date = date; }
    return out;
  }

  byId("chart-save").addEventListener("click", function () {
    clearFieldErrors();
    say("Saving...", false);
    fetch("/api/patients/" + patient + "/chart", {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload())
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) { say("Not saved: " + messageOf(res.body), true); return; }
      say("Saved (visit " + res.body.visit_date + "): Goodman & Baron quantitative score " +
          res.body.gb_quantitative + ", grade " + res.body.gb_grade + ".", false);
      loadHistory(false);
    }).catch(function () { say("Not saved: the server could not be reached.", true); });
  });

  function staticFace(chart) {
    var svg = template.cloneNode(true);
    svg.classList.add("static");
    svg.setAttribute("aria-label", "Chart of " + chart.visit_date);
    drawMarkers(svg, chart.markers, -1);
    return svg;
  }

  function showFigure(figId, chart) {
    var fig = byId(figId);
    fig.textContent = "";
    if (!chart) { return; }
    fig.appendChild(staticFace(chart));
    var cap = document.createElement("figcaption");
    var n = chart.markers.length;
    cap.textContent = chart.visit_date + ": " + n + (n === 1 ? " marker" : " markers") + ", Goodman & Baron score " +
      chart.gb_quantitative + ", grade " + chart.gb_grade;
    fig.appendChild(cap);
  }

  function chartById(id) {
    return history.filter(function (c) { return String(c.chart_id) === String(id); })[0];
  }

  function fillSelect(sel, chosen) {
    sel.textContent = "";
    history.forEach(function (c) {
      var o = document.createElement("option");
      o.value = String(c.chart_id);
      o.textContent = c.visit_date + " (score " + c.gb_quantitative + ")";
      sel.appendChild(o);
    });
    if (chosen) { sel.value = String(chosen.chart_id); }
  }

  function showHistory() {
    var body = section.querySelector("#chart-history tbody");
    body.textContent = "";
    history.forEach(function (c) {
      var row = body.insertRow();
      [c.visit_date, String(c.markers.length), String(c.gb_quantitative), String(c.gb_grade)].forEach(function (v) {
        row.insertCell().textContent = v;
      });
    });
    var block = byId("chart-compare");
    block.hidden = history.length < 2;
    if (history.length >= 2) {
      fillSelect(byId("compare-a"), history[0]);
      fillSelect(byId("compare-b"), history[history.length - 1]);
      showFigure("compare-fig-a", history[0]);
      showFigure("compare-fig-b", history[history.length - 1]);
    }
  }

  byId("compare-a").addEventListener("change", function (e) { showFigure("compare-fig-a", chartById(e.target.value)); });
  byId("compare-b").addEventListener("change", function (e) { showFigure("compare-fig-b", chartById(e.target.value)); });

  function loadHistory(startFromLatest) {
    fetch("/api/patients/" + patient + "/charts", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        history = list;
        if (list.length) { showHistory(); }
        if (startFromLatest && list.length) {
          markers = list[list.length - 1].markers.map(function (m) { return Object.assign({}, m); });
          say("Showing the chart of " + list[list.length - 1].visit_date + "; changes are saved as a new visit.", false);
        }
        redraw();
      });
  }

  redraw();
  loadHistory(true);
}());
