/* Before/after page: the opacity slider sets how much of the "after" photo covers the "before" photo. */
(function () {
  "use strict";
  var slider = document.getElementById("overlay-opacity");
  var top = document.getElementById("overlay-top");
  var out = document.getElementById("overlay-value");
  if (!slider || !top) { return; }
  function apply() {
    top.style.opacity = String(Number(slider.value) / 100);
    if (out) { out.textContent = slider.value + "%"; }
  }
  slider.addEventListener("input", apply);
  apply();
}());
