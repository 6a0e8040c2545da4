// aksguard dashboard: instant filtering over what the page already shows. Served from
// /static/app.js (the CSP allows scripts from this origin only). The pages work without it:
// their filter forms reload the page with the filter in the URL.
"use strict";

(() => {
  /** Lower-case search terms; every one must match (AND). */
  const termsOf = (text) => text.toLowerCase().split(/\s+/).filter(Boolean);
  const matchesAll = (haystack, terms) => terms.every((term) => haystack.includes(term));

  // ---- the fleet page: the name filter hides rows as one types ----
  const fleetInput = document.getElementById("fleet-q");
  const fleetTable = document.getElementById("fleet");
  if (fleetInput && fleetTable) {
    const rows = Array.from(fleetTable.tBodies[0].rows);
    const count = document.getElementById("fleet-count");
    const empty = document.getElementById("fleet-empty");
    const update = () => {
      const terms = termsOf(fleetInput.value);
      let shown = 0;
      for (const row of rows) {
        const visible = matchesAll(row.dataset.search || "", terms);
        row.hidden = !visible;
        if (visible) shown += 1;
      }
      count.textContent = `${shown} of ${rows.length} targets shown.`;
      if (empty) empty.hidden = shown !== 0;
    };
    fleetInput.addEventListener("input", update);
  }

  // ---- target and run pages: text and severity narrow this page's findings at once ----
  const form = document.getElementById("findings-filter");
  const list = document.getElementById("findings-list");
  if (form && list) {
    const text = document.getElementById("filter-q");
    const severity = document.getElementById("filter-severity");
    const count = document.getElementById("findings-count");
    const empty = document.getElementById("findings-empty");
    const items = Array.from(list.querySelectorAll("li.finding"));
    const groups = Array.from(list.querySelectorAll("section.group"));
    const rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
    const initial = count.textContent;
    const update = () => {
      const terms = termsOf(text.value);
      const least = severity.value ? rank[severity.value] : 0;
      let shown = 0;
      for (const item of items) {
        const visible =
          matchesAll(item.dataset.search || "", terms) && rank[item.dataset.severity] >= least;
        item.hidden = !visible;
        if (visible) shown += 1;
      }
      for (const group of groups) {
        group.hidden = !group.querySelector("li.finding:not([hidden])");
      }
      count.textContent =
        shown === items.length
          ? initial
          : `${shown} of the ${items.length} findings on this page match; press Apply to search every finding.`;
      empty.hidden = shown !== 0;
    };
    text.addEventListener("input", update);
    severity.addEventListener("change", update);
  }
})();
