// Opens aksguard HTML reports in Debian's headless Chromium (playwright-core, no downloaded
// browser) and checks that they render and behave. Run by crates/aksguard/tests/html_browser.rs:
//
//   node html_report.mjs REPORT.html OUT_DIR [HOSTILE.html]
//
// REPORT.html: the report of examples/ (has findings). Checks: nothing is fetched from the
// network, no console error or CSP violation, the script ran (filter box shown), the SVG
// severity chart is drawn, typing "POD001" leaves exactly the POD001 findings visible, the
// severity checkboxes and the "no match" state work; screenshots go to OUT_DIR.
// HOSTILE.html: a report whose object, container and message texts carry markup; checks that
// none of it became elements or ran.
// Exits 0 and prints "html report browser checks: N passed, 0 failed" when all hold.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [reportPath, outDir, hostilePath] = process.argv.slice(2);
if (!reportPath || !outDir) {
  console.error("usage: node html_report.mjs REPORT.html OUT_DIR [HOSTILE.html]");
  process.exit(2);
}

let passed = 0;
function check(condition, what, detail) {
  if (!condition) {
    throw new Error(`FAILED: ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
  passed += 1;
  console.log(`ok - ${what}`);
}

const userDataDir = mkdtempSync(join(tmpdir(), "aksguard-chromium-"));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 1000 },
  colorScheme: "light",
  timeout: 60_000,
});

/** Opens a report, recording every request, console error, page error and dialog. */
async function open(path) {
  const page = await browser.newPage();
  const seen = { requests: [], errors: [], dialogs: [] };
  page.on("request", (request) => seen.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      seen.errors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => seen.errors.push(`pageerror: ${error.message}`));
  page.on("dialog", async (dialog) => {
    seen.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const url = pathToFileURL(resolve(path)).href;
  await page.goto(url, { waitUntil: "load" });
  return { page, seen, url };
}

/** Rule IDs of the findings currently visible. */
function visibleRules(page) {
  return page.$$eval("#findings li.finding", (items) =>
    items.filter((li) => li.checkVisibility()).map((li) => li.getAttribute("data-rule")),
  );
}

try {
  // ---- the examples/ report ----
  const { page, seen, url } = await open(reportPath);
  const total = await page.$$eval("#findings li.finding", (items) => items.length);
  const stated = Number(await page.textContent("#stat-findings"));
  check(total > 0 && total === stated, "every finding is listed once", { total, stated });
  check(await page.isVisible("#filters"), "the inline script ran under the CSP (filter box shown)");

  const chart = await page.$("svg#severity-chart");
  check(chart !== null, "the severity chart is an inline SVG");
  const box = await chart.boundingBox();
  check(box && box.width > 200 && box.height > 60, "the chart is drawn at a readable size", box);
  const bars = await page.$$eval("#severity-chart rect.bar", (rects) =>
    rects.map((r) => ({ severity: r.parentElement.getAttribute("data-severity"), width: Number(r.getAttribute("width")) })),
  );
  check(bars.length === 5, "one bar per severity", bars);
  const arcs = await page.$$eval("#severity-chart circle.donut-arc", (c) => c.length);
  check(arcs >= 1, "the donut has an arc per severity present", arcs);
  check(
    (await visibleRules(page)).length === total,
    "all findings are visible before filtering",
  );

  await page.screenshot({ path: join(outDir, "report.png") });
  await page.screenshot({ path: join(outDir, "report-full.png"), fullPage: true });

  // Type a rule ID: only its findings stay.
  const pod001 = await page.$$eval(
    "#findings li.finding",
    (items) => items.filter((li) => li.textContent.includes("POD001")).length,
  );
  check(pod001 > 0 && pod001 < total, "examples/ has some but not only POD001 findings", { pod001, total });
  await page.fill("#filter", "POD001");
  let rules = await visibleRules(page);
  check(
    rules.length === pod001 && rules.every((rule) => rule === "POD001"),
    'typing "POD001" leaves exactly the POD001 findings visible',
    rules,
  );
  const strayObjects = await page.$$eval("#findings .object", (objects) =>
    objects.filter((o) => o.checkVisibility() && !o.querySelector("li.finding:not([hidden])")).length,
  );
  check(strayObjects === 0, "objects without a matching finding are hidden", strayObjects);
  check(
    (await page.textContent("#filter-count")).trim() === `${pod001} of ${total} findings`,
    "the counter says how many findings are shown",
    await page.textContent("#filter-count"),
  );
  await page.evaluate(() => document.getElementById("findings").scrollIntoView());
  await page.screenshot({ path: join(outDir, "report-filtered.png") });

  // Several terms narrow together (AND), in any case.
  await page.fill("#filter", "pod001 PAYMENTS");
  rules = await visibleRules(page);
  check(rules.every((rule) => rule === "POD001"), "terms combine (AND) case-insensitively", rules);

  // Severity checkboxes.
  await page.fill("#filter", "");
  const critical = await page.$$eval('#findings li.finding[data-severity="critical"]', (i) => i.length);
  for (const severity of ["high", "medium", "low", "info"]) {
    await page.uncheck(`#filters input[data-severity="${severity}"]`);
  }
  const severities = await page.$$eval("#findings li.finding", (items) =>
    items.filter((li) => li.checkVisibility()).map((li) => li.getAttribute("data-severity")),
  );
  check(
    severities.length === critical && severities.every((s) => s === "critical"),
    "unchecking severities hides their findings",
    { critical, shown: severities.length },
  );
  for (const severity of ["high", "medium", "low", "info"]) {
    await page.check(`#filters input[data-severity="${severity}"]`);
  }
  check((await visibleRules(page)).length === total, "re-checking them shows everything again");

  // No match.
  await page.fill("#filter", "no-such-finding-anywhere");
  check((await visibleRules(page)).length === 0, "a filter that matches nothing hides every finding");
  check(await page.isVisible("#filter-empty"), 'and says "No finding matches the filter"');

  // Sections.
  for (const id of ["summary", "frameworks", "findings", "errors", "suppressed"]) {
    check((await page.$(`section#${id}`)) !== null, `section #${id} is present`);
  }
  const docLink = await page.getAttribute("#findings a.rule-id", "href");
  check(
    /^https:\/\/github\.com\/aksguard\/aksguard\/blob\/main\/docs\/rules\/[A-Z]+[0-9]+\.md$/.test(docLink),
    "rule IDs link to their documentation",
    docLink,
  );

  check(
    seen.requests.every((request) => request === url),
    "the page fetched nothing but itself",
    seen.requests,
  );
  check(seen.errors.length === 0, "no console error, CSP violation or script error", seen.errors);

  for (const name of ["report.png", "report-full.png", "report-filtered.png"]) {
    const size = statSync(join(outDir, name)).size;
    check(size > 20_000, `screenshot ${name} was written (${size} bytes)`, size);
  }
  await page.close();

  // ---- a report whose texts carry markup ----
  if (hostilePath) {
    const { page, seen } = await open(hostilePath);
    const injected = await page.evaluate(() => ({
      scripts: document.querySelectorAll("script").length,
      images: document.querySelectorAll("img, iframe, object, embed").length,
      marker: typeof window.__aksguardPwned,
      text: document.body.textContent.includes("<script>window.__aksguardPwned=1</script>"),
    }));
    check(injected.scripts === 1, "only the report's own script element exists", injected);
    check(injected.images === 0, "no injected image, iframe or object element", injected);
    check(injected.marker === "undefined" && seen.dialogs.length === 0, "no injected code ran", {
      injected,
      dialogs: seen.dialogs,
    });
    check(injected.text, "the markup is shown as text");
    check(seen.errors.length === 0, "no console error on the hostile report", seen.errors);
    await page.evaluate(() => document.getElementById("findings").scrollIntoView());
    await page.screenshot({ path: join(outDir, "report-hostile.png") });
    await page.close();
  }
  console.log(`html report browser checks: ${passed} passed, 0 failed`);
} catch (error) {
  console.error(error.message || error);
  console.log(`html report browser checks: ${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
