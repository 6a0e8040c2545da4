
// aksguard HTML report: filter findings by text and severity. No framework, no network.
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) return;
  var input = document.getElementById("filter");
  var counter = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");
  var boxes = Array.prototype.slice.call(bar.querySelectorAll("input[type=checkbox][data-severity]"));
  var namespaces = Array.prototype.slice.call(document.querySelectorAll("#findings .namespace"));
  var objects = Array.prototype.slice.call(document.querySelectorAll("#findings .object"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("#findings li.finding"));
  // What a term may match: the finding's own text plus its object and namespace headings.
  var haystacks = findings.map(function (li) {
    var object = li.closest(".object");
    var ns = li.closest(".namespace");
    var head = object ? object.querySelector(".object-head").textContent : "";
    return (li.textContent + " " + head + " " + (ns ? ns.getAttribute("data-namespace") : ""))
      .replace(/\s+/g, " ").toLowerCase();
  });

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var allowed = {};
    boxes.forEach(function (box) { allowed[box.getAttribute("data-severity")] = box.checked; });
    var shown = 0;
    findings.forEach(function (li, i) {
      var ok = allowed[li.getAttribute("data-severity")] === true && terms.every(function (term) {
        return haystacks[i].indexOf(term) !== -1;
      });
      li.hidden = !ok;
      if (ok) shown += 1;
    });
    objects.forEach(function (object) {
      object.hidden = !object.querySelector("li.finding:not([hidden])");
    });
    namespaces.forEach(function (ns) {
      ns.hidden = !ns.querySelector(".object:not([hidden])");
    });
    counter.textContent = shown + " of " + findings.length + " findings";
    empty.hidden = shown !== 0;
  }

  input.addEventListener("input", apply);
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  // "/" jumps to the filter box, Escape clears it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    } else if (event.key === "Escape" && document.activeElement === input) {
      input.value = "";
      apply();
    }
  });
  bar.hidden = false;
  apply();
})();
