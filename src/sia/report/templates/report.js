(function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"] };
  var rendered = {};
  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }
  function render(root) {
    var divs = root.querySelectorAll(".chart[data-fig]");
    for (var i = 0; i < divs.length; i++) {
      var div = divs[i];
      if (!visible(div)) { continue; }
      if (rendered[div.id]) { Plotly.Plots.resize(div); continue; }
      var spec = JSON.parse(document.getElementById(div.getAttribute("data-fig")).textContent);
      Plotly.newPlot(div, spec.data, spec.layout, CONFIG);
      rendered[div.id] = true;
      div.classList.add("rendered");
    }
  }
  function showScale(scale) {
    var blocks = document.querySelectorAll(".scale-block");
    for (var i = 0; i < blocks.length; i++) { blocks[i].hidden = blocks[i].getAttribute("data-scale") !== scale; }
    document.body.setAttribute("data-scale", scale);
    var names = document.querySelectorAll(".current-scale-name");
    var select = document.getElementById("scale-select");
    var label = select.options[select.selectedIndex].text;
    for (var j = 0; j < names.length; j++) { names[j].textContent = label; }
    render(document);
  }
  window.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("scale-select");
    var hash = window.location.hash.match(/scale=([\w-]+)/);
    if (hash) {
      for (var i = 0; i < select.options.length; i++) { if (select.options[i].value === hash[1]) { select.selectedIndex = i; } }
    }
    select.addEventListener("change", function () { showScale(select.value); });
    showScale(select.value);
  });
  window.addEventListener("beforeprint", function () {
    var divs = document.querySelectorAll(".chart.rendered");
    for (var i = 0; i < divs.length; i++) { if (visible(divs[i])) { Plotly.relayout(divs[i], { width: 680 }); } }
  });
  window.addEventListener("afterprint", function () {
    var divs = document.querySelectorAll(".chart.rendered");
    for (var i = 0; i < divs.length; i++) { if (visible(divs[i])) { Plotly.relayout(divs[i], { width: null, autosize: true }); } }
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
