// Drives `aksguard serve` in Debian's headless Chromium (playwright-core, no downloaded
// browser). Run by crates/aksguard/tests/dashboard_browser.rs, which seeded the store and
// started the server:
//
//   PROD_TARGET=ID PROD_LATEST_RUN=ID PROD_PREVIOUS_RUN=ID HOSTILE_TARGET=ID \
//     node dashboard.mjs BASE_URL OUT_DIR
//
// Checks: the fleet page lists the targets with sparklines and flags the stale one; the text
// filter narrows the table as one types; clicking a target opens its page with the trend
// chart and the new findings; the findings filter works instantly (script) and through the
// form (server); the keyboard reaches the filters with a visible focus; the diff and run
// pages open from links; without JavaScript the forms still filter; nothing is fetched from
// another origin; no console error, no CSP violation; markup in names and messages neither
// runs nor becomes elements. Screenshots go to OUT_DIR.
// Exits 0 and prints "dashboard browser checks: N passed, 0 failed" when all hold.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, outDir] = process.argv.slice(2);
const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
};
if (!base || !outDir) {
  console.error("usage: node dashboard.mjs BASE_URL OUT_DIR (and the *_TARGET/*_RUN variables)");
  process.exit(2);
}
const prodTarget = env("PROD_TARGET");
const prodLatest = env("PROD_LATEST_RUN");
const prodPrevious = env("PROD_PREVIOUS_RUN");
const hostileTarget = env("HOSTILE_TARGET");
const origin = new URL(base).origin;

let passed = 0;
function check(condition, what, detail) {
  if (!condition) {
    throw new Error(`FAILED: ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
  passed += 1;
  console.log(`ok - ${what}`);
}

const launchOptions = {
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
  viewport: { width: 1280, height: 860 },
  colorScheme: "light",
  timeout: 60_000,
};
const userDataDir = mkdtempSync(join(tmpdir(), "aksguard-chromium-"));
const browser = await chromium.launchPersistentContext(userDataDir, launchOptions);

/** Everything a page did that it should not: console errors, CSP violations, script errors,
 *  dialogs, and requests to another origin. */
const seen = { errors: [], violations: [], dialogs: [], foreign: [], requests: 0 };
browser.on("request", (request) => {
  seen.requests += 1;
  const url = request.url();
  if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) seen.foreign.push(url);
});
await browser.addInitScript(() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
});

async function newPage() {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
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
  return page;
}

/** CSP violations the page saw, collected before leaving it. */
async function violations(page) {
  const list = await page.evaluate(() => window.__violations);
  seen.violations.push(...list);
  return list;
}

/** Presses Tab until `selector` has the focus (at most `limit` times). */
async function tabTo(page, selector, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return i + 1;
  }
  return -1;
}

function visible(page, selector) {
  return page.$$eval(selector, (elements) => elements.filter((e) => e.checkVisibility()).length);
}

try {
  // ---- the fleet ----
  const page = await newPage();
  const response = await page.goto(`${base}/`, { waitUntil: "load" });
  check(response.status() === 200, "the fleet page answers 200");
  const csp = response.headers()["content-security-policy"] || "";
  check(csp.includes("default-src 'none'") && csp.includes("script-src 'self'"), "the server sends the strict CSP", csp);
  const rows = await page.$$eval("#fleet tbody tr", (trs) => trs.length);
  check(rows === 4, "the fleet lists the four seeded targets", rows);
  const sparklines = await page.$$eval("#fleet svg.sparkline", (svgs) => svgs.map((s) => s.querySelector("title")?.textContent));
  check(sparklines.length === 4 && sparklines.every((t) => t && t.length > 0), "each target has a titled trend sparkline", sparklines);
  const stale = await page.$$eval("#fleet tr.is-stale .target-link", (links) => links.map((a) => a.textContent));
  check(stale.length === 1 && stale[0] === "aks-staging-northeurope", "the target not scanned for 40 days is flagged stale", stale);
  const prodRow = `#fleet tr[data-target="${prodTarget}"]`;
  const prodScores = await page.$$eval(`${prodRow} .score`, (cells) => cells.map((c) => c.textContent));
  check(prodScores.length === 4, "the production cluster shows a score per framework", prodScores);
  check(await page.isVisible("#fleet-q"), "the fleet filter box is shown");
  await page.screenshot({ path: join(outDir, "dashboard-fleet.png") });

  // Keyboard: Tab from the top reaches the filter, with a visible focus ring.
  await page.goto(`${base}/`, { waitUntil: "load" });
  const tabs = await tabTo(page, "#fleet-q");
  check(tabs > 0, "the keyboard reaches the fleet filter", tabs);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  check(outline !== "none", "the focused filter shows a focus outline", outline);

  // Instant filtering while typing.
  await page.keyboard.type("prod");
  check((await visible(page, "#fleet tbody tr")) === 1, 'typing "prod" leaves one target visible');
  check((await page.textContent("#fleet-count")).includes("1 of 4"), "the counter says so", await page.textContent("#fleet-count"));
  await page.fill("#fleet-q", "");
  check((await visible(page, "#fleet tbody tr")) === 4, "clearing the filter shows every target");
  // Sorting is a link (server-side).
  await page.click('#fleet thead a:text-is("Critical")');
  await page.waitForURL(/sort=critical/);
  check((await page.getAttribute("#fleet thead th:has(a:text-is('Critical'))", "aria-sort")) === "descending", "sorting by critical marks the column");
  await violations(page);

  // ---- into a target ----
  await page.goto(`${base}/`, { waitUntil: "load" });
  await page.click(`${prodRow} a.target-link`);
  await page.waitForURL(`${base}/targets/${prodTarget}`);
  check((await page.textContent("h1")).trim() === "aks-prod-westeurope", "clicking a target opens its page");
  const chart = await page.$("svg#trend-severity");
  check(chart !== null, "the trend chart is an inline SVG");
  const box = await chart.boundingBox();
  check(box && box.width > 400 && box.height > 100, "the trend chart is drawn at a readable size", box);
  const lines = await page.$$eval("#trend-severity polyline", (p) => p.length);
  check(lines === 5, "one line per severity", lines);
  const chartTitle = await page.textContent("#trend-severity title");
  check(chartTitle.includes("Open findings by severity"), "the chart has a title", chartTitle);
  check((await page.$$eval("#trend-table tbody tr", (r) => r.length)) === 10, "the trend table has the ten runs");
  check((await page.$("svg#trend-scores")) !== null, "the framework scores are charted");
  const newRules = await page.$$eval("#new-findings li.finding", (items) => items.map((li) => li.dataset.rule));
  check(newRules.length === 2 && newRules.includes("POD001") && newRules.includes("POD008"), "the two new findings of the last run are listed", newRules);
  const fixed = await page.$$eval("#fixed-findings li.finding", (items) => items.length);
  check(fixed === 0, "nothing was fixed in the last run", fixed);
  const docLink = await page.getAttribute("#findings-list a.rule-id", "href");
  check(/^https:\/\/github\.com\/aksguard\/aksguard\/blob\/main\/docs\/rules\/[A-Z]+[0-9]+\.md$/.test(docLink), "rule IDs link to their documentation", docLink);
  const fixes = await page.$$eval("#findings-list .finding-fix", (f) => f.length);
  const total = await page.$$eval("#findings-list li.finding", (f) => f.length);
  check(total === 8 && fixes === total, "the eight open findings are listed, each with its fix", { total, fixes });
  await page.screenshot({ path: join(outDir, "dashboard-target.png") });
  await page.screenshot({ path: join(outDir, "dashboard-target-full.png"), fullPage: true });

  // Keyboard reaches the findings filter.
  await page.goto(`${base}/targets/${prodTarget}`, { waitUntil: "load" });
  check((await tabTo(page, "#filter-q", 200)) > 0, "the keyboard reaches the findings filter");

  // Instant filtering (script).
  await page.fill("#filter-q", "ledger");
  let shown = await page.$$eval("#findings-list li.finding", (items) => items.filter((li) => li.checkVisibility()).map((li) => li.dataset.search));
  check(shown.length === 2 && shown.every((s) => s.includes("ledger")), 'typing "ledger" narrows the findings at once', shown.length);
  await page.selectOption("#filter-severity", "critical");
  shown = await page.$$eval("#findings-list li.finding", (items) => items.filter((li) => li.checkVisibility()).map((li) => li.dataset.severity));
  check(shown.length === 1 && shown[0] === "critical", "and the severity select narrows them further", shown);
  const hiddenGroups = await page.$$eval("#findings-list section.group", (groups) => groups.filter((g) => g.hidden).length);
  check(hiddenGroups > 0, "groups without a visible finding are hidden", hiddenGroups);
  await page.evaluate(() => document.getElementById("findings").scrollIntoView());
  await page.screenshot({ path: join(outDir, "dashboard-filtered.png") });
  // The form (server): the filter lands in the URL.
  await page.click("#findings-filter button[type=submit]");
  await page.waitForURL(/severity=critical/);
  check(/q=ledger/.test(page.url()), "Apply puts the filter into the URL", page.url());
  const served = await page.$$eval("#findings-list li.finding", (items) => items.map((li) => li.dataset.rule));
  check(served.length === 1 && served[0] === "POD001", "the server's filtered page lists the one match", served);
  await page.selectOption("#filter-group", "namespace");
  await page.fill("#filter-q", "");
  await page.selectOption("#filter-severity", "");
  await page.click("#findings-filter button[type=submit]");
  await page.waitForURL(/group=namespace/);
  const headings = await page.$$eval("#findings-list .group-heading code", (h) => h.map((e) => e.textContent));
  check(headings.includes("payments") && headings.includes("kube-system"), "group=namespace groups by namespace", headings);
  await violations(page);

  // ---- the diff ----
  await page.goto(`${base}/targets/${prodTarget}`, { waitUntil: "load" });
  await page.click("#changes-diff-link");
  await page.waitForURL(`${base}/diff?from=${prodPrevious}&to=${prodLatest}`);
  const diffNew = await page.$$eval("#new-findings li.finding", (items) => items.length);
  check(diffNew === 2, "the diff lists the two new findings", diffNew);
  const counts = await page.$$eval("#diff-counts tbody tr", (trs) => trs.map((tr) => tr.lastElementChild.textContent.trim()));
  check(counts.length === 3 && counts[0] === "2" && counts[1] === "0" && counts[2] === "6", "new, fixed and still-open counts", counts);
  await page.click("#still-open-link");
  await page.waitForURL(/still_open=1/);
  check((await page.$$eval("#still-open-findings li.finding", (i) => i.length)) === 6, "the still-open findings can be listed");
  await page.screenshot({ path: join(outDir, "dashboard-diff.png") });

  // ---- a run ----
  await page.click(`a[href="/runs/${prodLatest}"]`);
  await page.waitForURL(`${base}/runs/${prodLatest}`);
  check((await page.textContent("h1")).includes("Run #10"), "the run page opens from the diff", await page.textContent("h1"));
  check((await page.getAttribute("#diff-previous", "href")) === `/diff?from=${prodPrevious}&to=${prodLatest}`, "the run links to its diff with the previous run");
  await page.screenshot({ path: join(outDir, "dashboard-run.png") });
  await violations(page);

  // ---- errors in the layout ----
  const missing = await page.goto(`${base}/targets/999999`, { waitUntil: "load" });
  check(missing.status() === 404 && (await page.textContent("h1")).includes("Not found"), "an unknown target is a 404 page in the layout");
  const bad = await page.goto(`${base}/targets/${prodTarget}?severity=urgent`, { waitUntil: "load" });
  check(bad.status() === 400 && (await page.textContent("#error-message")).includes("urgent"), "a bad parameter is a 400 page that says which");
  await page.close();

  // ---- the XSS probe ----
  for (const path of ["/", `/targets/${hostileTarget}`]) {
    const page = await newPage();
    await page.goto(`${base}${path}`, { waitUntil: "load" });
    const injected = await page.evaluate(() => ({
      scripts: Array.from(document.querySelectorAll("script")).map((s) => s.getAttribute("src")),
      images: document.querySelectorAll("img, iframe, object, embed").length,
      svgHandlers: Array.from(document.querySelectorAll("svg")).filter((s) => s.hasAttribute("onload")).length,
      jsLinks: Array.from(document.querySelectorAll("a[href]")).filter((a) => /^\s*javascript:/i.test(a.getAttribute("href"))).length,
      marker: typeof window.__aksguardPwned,
      text: document.body.textContent.includes("<script>window.__aksguardPwned=1</script>"),
    }));
    check(injected.scripts.length === 1 && injected.scripts[0] === "/static/app.js", `${path}: only the page's own script element`, injected);
    check(injected.images === 0 && injected.svgHandlers === 0, `${path}: no injected image, frame or handler`, injected);
    check(injected.jsLinks === 0, `${path}: no javascript: link`, injected);
    check(injected.marker === "undefined" && seen.dialogs.length === 0, `${path}: no injected code ran`, { injected, dialogs: seen.dialogs });
    check(injected.text, `${path}: the markup is shown as text`);
    if (path !== "/") {
      await page.fill("#filter-q", "<img");
      check((await page.evaluate(() => typeof window.__aksguardPwned)) === "undefined", `${path}: filtering on markup runs nothing`);
      await page.screenshot({ path: join(outDir, "dashboard-hostile.png"), fullPage: true });
    }
    await violations(page);
    await page.close();
  }

  // ---- without JavaScript: the forms still filter ----
  const plainDir = mkdtempSync(join(tmpdir(), "aksguard-chromium-nojs-"));
  const context = await chromium.launchPersistentContext(plainDir, { ...launchOptions, javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(`${base}/`, { waitUntil: "load" });
  await plain.fill("#fleet-q", "payments");
  await plain.click("#fleet-filter button[type=submit]");
  await plain.waitForURL(/q=payments/);
  const plainRows = await plain.$$eval("#fleet tbody tr", (trs) => trs.length);
  check(plainRows === 1, "without JavaScript the fleet form filters on the server", plainRows);
  await plain.goto(`${base}/targets/${prodTarget}`, { waitUntil: "load" });
  await plain.fill("#filter-rule", "NET001");
  await plain.click("#findings-filter button[type=submit]");
  await plain.waitForURL(/rule=NET001/);
  const plainRules = await plain.$$eval("#findings-list li.finding", (items) => items.map((li) => li.dataset.rule));
  check(plainRules.length === 1 && plainRules[0] === "NET001", "without JavaScript the findings form filters on the server", plainRules);
  await plain.screenshot({ path: join(outDir, "dashboard-nojs.png") });
  await context.close();
  rmSync(plainDir, { recursive: true, force: true });

  // The 404 and 400 pages above log "Failed to load resource" for themselves: expected.
  seen.errors = seen.errors.filter((e) => !/status of (404|400)/.test(e));
  check(seen.foreign.length === 0, "nothing was fetched from another origin", seen.foreign);
  check(seen.violations.length === 0, "no CSP violation", seen.violations);
  check(seen.errors.length === 0, "no console error or script error", seen.errors);
  for (const name of ["dashboard-fleet.png", "dashboard-target.png", "dashboard-diff.png"]) {
    const size = statSync(join(outDir, name)).size;
    check(size > 10_000, `screenshot ${name} was written (${size} bytes)`, size);
  }
  console.log(`dashboard browser checks: ${passed} passed, 0 failed`);
} catch (error) {
  console.log(error.stack || String(error));
  console.log(`dashboard browser checks: ${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
