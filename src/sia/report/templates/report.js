(function () {
  "use strict";
  // No mode bar: its buttons were most of the page's tab stops, and the report has static images and data tables.
  var CONFIG = { displayModeBar: false, displaylogo: false, responsive: true, scrollZoom: false };
  var PRINT_WIDTH = 1020;      // A4 landscape, 10 mm margins: 277 mm = 1047 CSS px
  var PRINT_MAX_HEIGHT = 540;  // a section heading, a chart and its caption fit on one page (190 mm = 718 px)
  var rendered = {};
  var drawing = {};  // chart id -> the promise of its Plotly.newPlot (a relayout must wait for it)
  var queue = [];
  var scheduled = false;
  var plotlyReady = false;
  var plotlyLoading = null;
  var printing = false;
  var geoCache = {};

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }

  function geo(id) {
    if (!geoCache[id]) { geoCache[id] = JSON.parse(document.getElementById(id).textContent); }
    return geoCache[id];
  }

  function spec(div) {
    var s = JSON.parse(document.getElementById(div.getAttribute("data-fig")).textContent);
    for (var i = 0; i < s.data.length; i++) {
      if (s.data[i]["@trace"]) { s.data[i] = JSON.parse(document.getElementById(s.data[i]["@trace"]).textContent); }
      var g = s.data[i].geojson;
      if (typeof g === "string" && g.charAt(0) === "@") { s.data[i].geojson = geo(g.slice(1)); }
    }
    return s;
  }

  // Size of a chart on paper: page width, its own height; a chart taller than PRINT_MAX_HEIGHT is drawn wider
  // and zoomed out to fit, so it keeps its proportions (nothing squashed, nothing clipped).
  function printSize(height) {
    var zoom = Math.min(1, PRINT_MAX_HEIGHT / height);
    return { width: Math.round(PRINT_WIDTH / zoom), height: height, zoom: zoom };
  }

  function draw(div, forPrint) {
    var s = spec(div);
    var h = s.layout.height || 450;
    div.setAttribute("data-height", String(h));
    if (forPrint) {
      var size = printSize(h);
      s.layout.width = size.width;
      div.style.zoom = size.zoom < 1 ? String(size.zoom) : "";
    }
    var done = Plotly.newPlot(div, s.data, s.layout, CONFIG);
    drawing[div.id] = done;
    rendered[div.id] = true;
    div.classList.add("rendered");
    if (!window.siaFirstChartMs) { window.siaFirstChartMs = performance.now(); }
    return done;
  }

  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    setTimeout(step, 0);
  }

  // One chart per task: the browser paints between charts, so the first one shows as soon as it is drawn.
  function step() {
    scheduled = false;
    if (printing) { return; }
    var next = null;
    while (queue.length) {
      var d = queue.shift();
      if (!rendered[d.id] && visible(d)) { next = d; break; }
    }
    if (!next) { document.body.setAttribute("data-rendered", document.body.getAttribute("data-scale")); return; }
    draw(next);
    schedule();
  }

  function enqueueVisible() {
    if (!plotlyReady) { return; }
    document.body.removeAttribute("data-rendered");
    queue = Array.prototype.filter.call(document.querySelectorAll(".chart[data-fig]"), function (d) {
      return !rendered[d.id] && visible(d);
    });
    schedule();
  }

  function showScale(scale) {
    var blocks = document.querySelectorAll(".scale-block");
    for (var i = 0; i < blocks.length; i++) { blocks[i].hidden = blocks[i].getAttribute("data-scale") !== scale; }
    document.body.setAttribute("data-scale", scale);
    if (plotlyReady) {
      var divs = document.querySelectorAll(".chart.rendered");
      for (var j = 0; j < divs.length; j++) {
        if (visible(divs[j])) {
          (function (d) {
            Promise.resolve(drawing[d.id]).then(function () { return Plotly.Plots.resize(d); }).catch(function () {});
          })(divs[j]);
        }
      }
    }
    enqueueVisible();
  }

  // plotly.js is stored gzip-compressed (base64): unpack it in the browser, then run it.
  function startPlotly() {
    if (plotlyLoading) { return plotlyLoading; }
    if (!window.DecompressionStream) {
      document.getElementById("no-charts").hidden = false;
      plotlyLoading = Promise.reject(new Error("DecompressionStream is not supported"));
      plotlyLoading.catch(function () {});
      return plotlyLoading;
    }
    // The browser decodes the base64 (a data: URL), gunzips it (DecompressionStream) and runs it as an external
    // script from a blob: URL, which it compiles off the main thread; nothing leaves the file.
    var src = document.getElementById("plotly-gz");
    plotlyLoading = fetch("data:application/gzip;base64," + src.textContent.trim()).then(function (response) {
      return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).blob();
    }).then(function (blob) {
      return new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(new Blob([blob], { type: "text/javascript" }));
        var el = document.createElement("script");
        el.onload = function () { URL.revokeObjectURL(url); resolve(); };
        el.onerror = reject;
        el.src = url;
        document.head.appendChild(el);
      });
    }).then(function () {
      src.textContent = "";
      plotlyReady = true;
      window.siaPlotlyReadyMs = performance.now();
    });
    return plotlyLoading;
  }

  function boot() {
    startPlotly().then(function () {
      if (/print/.test(window.location.hash)) { preparePrint(); return; }
      enqueueVisible();
    });
  }

  // Printing: every scale (or only the one shown, if "Print every scale" is unticked), charts at page width.
  function preparePrint() {
    if (printing || !plotlyReady) { return Promise.resolve(); }
    printing = true;
    var box = document.getElementById("print-all");
    document.body.classList.add("printing");
    if (!box || box.checked) { document.body.classList.add("print-all"); }
    var first = true;
    var blocks = document.querySelectorAll(".scale-block");
    for (var b = 0; b < blocks.length; b++) {
      var shown = visible(blocks[b]);
      if (shown && first) { blocks[b].setAttribute("data-print-first", ""); first = false; }
      else { blocks[b].removeAttribute("data-print-first"); }
    }
    var jobs = [];
    var divs = document.querySelectorAll(".chart[data-fig]");
    for (var i = 0; i < divs.length; i++) {
      var div = divs[i];
      if (!visible(div)) { continue; }
      if (!rendered[div.id]) { jobs.push(draw(div, true)); continue; }
      jobs.push(fitToPage(div));
    }
    return Promise.all(jobs).then(function () { document.body.setAttribute("data-print-ready", "1"); });
  }

  function fitToPage(div) {
    var size = printSize(parseFloat(div.getAttribute("data-height")) || 450);
    div.style.zoom = size.zoom < 1 ? String(size.zoom) : "";
    return Promise.resolve(drawing[div.id]).then(function () {
      return Plotly.relayout(div, { width: size.width, height: size.height });
    });
  }

  function endPrint() {
    if (!printing || /print/.test(window.location.hash)) { return; }
    printing = false;
    document.body.classList.remove("printing", "print-all");
    document.body.removeAttribute("data-print-ready");
    var divs = document.querySelectorAll(".chart.rendered");
    for (var i = 0; i < divs.length; i++) {
      var div = divs[i];
      div.style.zoom = "";
      if (visible(div)) {
        (function (d) {
          Promise.resolve(drawing[d.id]).then(function () {
            return Plotly.relayout(d, { width: null, autosize: true, height: parseFloat(d.getAttribute("data-height")) });
          }).catch(function () {});
        })(div);
      } else if (div.layout) {
        delete div.layout.width;  // hidden now: Plotly.Plots.resize fits it to its card when its scale is shown
        div.layout.autosize = true;
      }
    }
    enqueueVisible();
  }

  window.addEventListener("beforeprint", preparePrint);
  window.addEventListener("afterprint", endPrint);
  if (window.matchMedia) {
    var mql = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) { preparePrint(); } else { endPrint(); } };
    if (mql.addEventListener) { mql.addEventListener("change", onChange); } else if (mql.addListener) { mql.addListener(onChange); }
  }

  window.siaReport = { preparePrint: preparePrint, endPrint: endPrint };

  window.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("scale-select");
    var hash = window.location.hash.match(/scale=([\w-]+)/);
    if (hash) {
      for (var i = 0; i < select.options.length; i++) { if (select.options[i].value === hash[1]) { select.selectedIndex = i; } }
    }
    select.addEventListener("change", function () { showScale(select.value); });
    showScale(select.value);
    // Paint the text, numbers and framework diagram first, then start plotly.js and draw the charts.
    window.requestAnimationFrame(function () { setTimeout(boot, 0); });
  });
})();

document.addEventListener("click", function (ev) {
  var a = ev.target.closest ? ev.target.closest("nav.toc a[data-section]") : null;
  if (!a) { return; }
  var name = a.getAttribute("data-section");
  var target = document.querySelector('.scale-block:not([hidden]) [data-section="' + name + '"]') ||
               document.querySelector('main > section[data-section="' + name + '"]');
  if (target) { ev.preventDefault(); target.scrollIntoView({ behavior: "auto", block: "start" }); }
});

// Sortable tables: the header buttons sort the body rows (numbers by their exact value, text alphabetically).
document.addEventListener("click", function (ev) {
  var cell = ev.target.closest ? ev.target.closest("table.sortable th") : null;  // the heading or its sort button
  var button = cell ? cell.querySelector("button") : null;
  if (!button) { return; }
  var th = cell;
  var table = th.closest("table");
  var col = parseInt(button.getAttribute("data-col"), 10);
  var numeric = button.getAttribute("data-type") === "num";
  var ascending = th.getAttribute("aria-sort") !== "ascending";
  var heads = table.querySelectorAll("th");
  for (var i = 0; i < heads.length; i++) { heads[i].setAttribute("aria-sort", "none"); }
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = a.cells[col], y = b.cells[col], r;
    if (numeric) {
      var vx = x.hasAttribute("data-v") ? parseFloat(x.getAttribute("data-v")) : -Infinity;
      var vy = y.hasAttribute("data-v") ? parseFloat(y.getAttribute("data-v")) : -Infinity;
      r = vx - vy;
    } else {
      r = x.textContent.localeCompare(y.textContent);
    }
    return ascending ? r : -r;
  });
  for (var j = 0; j < rows.length; j++) { body.appendChild(rows[j]); }
});
