// A journalist's walk through the site in Debian's chromium, then the checks every page must pass.
//
// landing -> a disputed statement -> its entity page (the verdict card in view) -> search "jeri"
// -> the query page with an example -> an IRI of the results -> Back (the query and its results
// are back) -> the shared link in a fresh browser (the same query and results); at 1280x900 and
// at 390x844. Then axe-core on every page kind (wide, narrow, and in dark mode), horizontal
// overflow at 390 px, what the landing page transfers, the keyboard (skip link, examples, Tab out
// of the editor), the editor's controls in Spanish with the answer's download, and the print
// stylesheet. Any request that leaves the server is aborted and reported; console errors (a CSP
// violation is one) are reported.
//
// Usage: node walk.mjs BASE_URL OUT_DIR RELEASE   (prints one JSON report on its last line)
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [base, outDir, release] = process.argv.slice(2);
const origin = new URL(base).origin;
const here = path.dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const NOT_FOUND = "/id/jose-jery";

const report = { outside: [], consoleErrors: [], walks: {}, axe: {}, axeNarrow: {}, axeDark: {}, overflow: {} };

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function newContext(viewport, colorScheme = "light") {
  const context = await browser.newContext({ viewport, locale: "en-GB", colorScheme, acceptDownloads: true });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/") || url === origin) return route.continue();
    report.outside.push(url);
    return route.abort();
  });
  return context;
}

function watch(page) {
  page.on("console", (message) => {
    // The 404 page's own status is the one error a browser logs that is meant to happen.
    const expected = new URL(page.url()).pathname === NOT_FOUND && message.text().includes("status of 404");
    if (message.type() === "error" && !expected) report.consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => report.consoleErrors.push(`${page.url()}: ${error.message}`));
}

async function inView(page, selector) {
  return page.locator(selector).first().evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight && box.left >= 0 && box.right <= window.innerWidth;
  });
}

async function resultRows(page) {
  await page.locator("#results .kg-results table tbody tr").first().waitFor({ state: "visible", timeout: 20000 });
  return page.locator("#results .kg-results table tbody tr").allInnerTexts();
}

async function editorText(page) {
  return page.evaluate(() => window.kgQueryEditor.yasqe.getValue());
}

async function walk(viewport, name) {
  const seen = {};
  const context = await newContext(viewport);
  const page = await context.newPage();
  watch(page);

  // The landing page, and what it transfers (every request of its load, with compression).
  const sizes = [];
  page.on("requestfinished", async (request) => {
    const found = await request.sizes();
    const response = await request.response();
    const encoding = response ? (await response.allHeaders())["content-encoding"] || null : null;
    sizes.push({ url: request.url(), bytes: found.responseBodySize + found.responseHeadersSize, encoding });
  });
  await page.goto(base + "/", { waitUntil: "networkidle" });
  await page.waitForTimeout(200);
  seen.landingTransferBytes = sizes.reduce((sum, s) => sum + s.bytes, 0);
  seen.landingRequests = sizes.map((s) => s.url.replace(origin, ""));
  seen.landingEncodings = Object.fromEntries(sizes.map((s) => [s.url.replace(origin, ""), s.encoding]));
  seen.landingTitle = await page.title();
  seen.landingHeadline = await page.locator("h1").first().innerText();
  await page.screenshot({ path: path.join(outDir, `landing-${name}.png`) });

  // A disputed statement: the first card of "What the article got wrong or left unconfirmed".
  const card = page.locator("section.checked article.card").first();
  seen.firstBadge = await card.locator(".badge").innerText();
  const link = card.locator("header a").first();
  seen.cardLink = await link.getAttribute("href");
  await Promise.all([page.waitForURL("**/id/**"), link.click()]);
  await page.waitForLoadState("networkidle");
  const anchor = new URL(page.url()).hash;
  seen.entityUrl = page.url().replace(origin, "");
  seen.entityHeading = await page.locator("h1").innerText();
  seen.cardInView = await inView(page, `article.card${anchor}`);
  seen.cardBadge = await page.locator(`article.card${anchor} .badge`).innerText();
  seen.cardClaimed = await page.locator(`article.card${anchor} ul.values li`).first().innerText();
  await page.screenshot({ path: path.join(outDir, `entity-${name}.png`) });

  // Search "jeri": the suggestions, then the results page.
  const box = page.locator("#site-search");
  await box.click();
  await box.pressSequentially("jeri", { delay: 40 });
  const firstOption = page.locator("#site-search-list li").first();
  await firstOption.waitFor({ state: "visible", timeout: 10000 });
  seen.suggestions = await page.locator("#site-search-list li > span:first-child").allInnerTexts();
  await Promise.all([page.waitForURL("**/search?**"), box.press("Enter")]);
  seen.searchResults = await page.locator("ol.results-list li > a").allInnerTexts();
  await page.screenshot({ path: path.join(outDir, `search-${name}.png`) });

  // The query page, with an example.
  await Promise.all([page.waitForURL("**/query"), page.locator("header.site nav a", { hasText: "Query" }).click()]);
  await page.waitForLoadState("networkidle");
  const example = page.locator("a.example[data-name=delegation-leaders]");
  seen.exampleTitle = await example.innerText();
  await example.click();
  const rows = await resultRows(page);
  seen.queryUrl = page.url().replace(origin, "");
  const query = await editorText(page);
  seen.queryIsExample = query.startsWith("# Question: who led each delegation");
  seen.rows = rows;
  await page.locator("#results").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(outDir, `query-${name}.png`) });

  // An IRI of the results opens its page; Back brings the query and its results back.
  const iri = page.locator("#results .kg-results a.iri").first();
  seen.iriText = await iri.innerText();
  seen.iriTitle = await iri.getAttribute("title");
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/query")), iri.click()]);
  seen.afterIri = page.url().replace(origin, "");
  await page.goBack();
  await page.waitForURL("**/query?**");
  seen.backRows = await resultRows(page);
  seen.backQuerySame = (await editorText(page)) === query;
  seen.backUrl = page.url().replace(origin, "");

  // Share: the editor's share link, opened in a fresh browser, shows the same query and results.
  await page.locator(".yasqe_share").click();
  const shared = await page.locator(".yasqe_sharePopup input").first().inputValue();
  seen.sharedLink = shared.replace(origin, "");
  const fresh = await newContext(viewport);
  const other = await fresh.newPage();
  watch(other);
  await other.goto(shared, { waitUntil: "networkidle" });
  seen.sharedRows = await resultRows(other);
  seen.sharedQuerySame = (await editorText(other)) === query;
  await fresh.close();

  // Any answer holding dates can be drawn as a timeline.
  await page.goto(base + "/query?example=tenure-ends", { waitUntil: "networkidle" });
  await resultRows(page);
  await page.locator(".select_kgTimeline").click();
  seen.timelineRows = await page.locator("#results ol.tl-rows li").allInnerTexts();
  await context.close();
  return seen;
}

async function axe(page, url) {
  await page.goto(base + url, { waitUntil: "networkidle" });
  if (url.startsWith("/query")) await resultRows(page);
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') allows it.
  await page.evaluate(axeSource + ";0");
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  return found;
}

async function overflow(page, url) {
  await page.goto(base + url, { waitUntil: "networkidle" });
  if (url.startsWith("/query?")) await resultRows(page);
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}

async function keyboard(page) {
  // The skip link is the first Tab stop and moves focus to the content; how many Tab presses
  // from the top of the query page reach the first example, and whether Tab leaves the editor.
  await page.goto(base + "/", { waitUntil: "networkidle" });
  await page.keyboard.press("Tab");
  const found = {};
  found.firstStop = await page.evaluate(() => document.activeElement.textContent.trim());
  found.skipVisible = await inView(page, "a.skip");
  await page.keyboard.press("Enter");
  found.afterSkip = await page.evaluate(() => document.activeElement.id);
  await page.goto(base + "/query", { waitUntil: "networkidle" });
  let presses = 0;
  for (; presses < 80; presses++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const active = document.activeElement;
      return { tag: active.tagName, cls: active.className, inEditor: !!active.closest(".CodeMirror") };
    });
    if (focused.inEditor && found.editorAt === undefined) found.editorAt = presses + 1;
    if (focused.cls === "example") break;
  }
  found.tabsToFirstExample = presses + 1;
  await page.locator(".CodeMirror textarea").focus();
  await page.keyboard.press("Tab");
  found.leftEditor = await page.evaluate(() => document.activeElement !== document.querySelector(".CodeMirror textarea"));
  return found;
}

async function spanishEditor(page) {
  // The editor's and the results' controls in Spanish, and the answer's download (CSV).
  await page.goto(base + "/query?lang=es&example=tenure-ends", { waitUntil: "networkidle" });
  await resultRows(page);
  await page.waitForTimeout(100);
  const found = {};
  found.controls = await page.evaluate(() => {
    const named = [];
    for (const element of document.querySelectorAll(".yasqe_buttons *, .yasr_header *, .yasr_fallback_info")) {
      if (!element.getClientRects().length) continue;
      for (const name of ["title", "aria-label"]) if (element.getAttribute(name)) named.push(element.getAttribute(name));
      for (const node of element.childNodes) if (node.nodeType === 3 && node.textContent.trim()) named.push(node.textContent.trim());
    }
    return [...new Set(named)];
  });
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator(".yasr_downloadIcon").click()]);
  found.downloadName = download.suggestedFilename();
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  found.downloadLines = Buffer.concat(chunks).toString("utf8").split(/\r?\n/).filter(Boolean);
  // A view that cannot draw the answer says so in Spanish: a yes/no answer has no timeline.
  await page.locator(".select_kgTimeline").click();
  await page.locator("#results .kg-results ol.tl-rows").waitFor({ state: "visible" });
  await page.evaluate(() => window.kgQueryEditor.yasqe.setValue("ASK { ?s ?p ?o }"));
  await page.locator("#run").click();
  await page.locator("#results .kg-results").filter({ hasText: "Sí" }).waitFor({ state: "visible" });
  await page.waitForTimeout(100);
  found.fallback = await page.locator(".yasr_fallback_info").innerText();
  return found;
}

async function printed(page) {
  // The print stylesheet: the story without the site's controls.
  await page.goto(base + "/id/tenure/jose-jeri-president-of-peru", { waitUntil: "networkidle" });
  await page.emulateMedia({ media: "print" });
  const found = await page.evaluate(() => {
    const shown = (selector) => getComputedStyle(document.querySelector(selector)).display !== "none";
    return { nav: shown("header.site nav"), search: shown("form.search"), footer: shown("footer.site"), card: shown("article.card"), heading: shown("h1") };
  });
  await page.emulateMedia({ media: "screen" });
  return found;
}

try {
  report.walks.wide = await walk(WIDE, "1280");
  report.walks.narrow = await walk(NARROW, "390");

  const context = await newContext(WIDE);
  const page = await context.newPage();
  watch(page);
  // The six page kinds, then the other pages, and Spanish versions.
  const kinds = {
    landing: "/",
    entity: "/id/tenure/jose-jeri-president-of-peru",
    query: "/query?example=delegation-leaders",
    ontology: "/ontology",
    download: "/download",
    notFound: NOT_FOUND,
  };
  const pages = {
    ...kinds,
    person: "/id/jose-jeri",
    search: "/search?q=jeri",
    browse: "/browse",
    releases: "/release/",
    release: `/release/${release}/`,
    dataset: "/id/dataset",
    landingSpanish: "/?lang=es",
    entitySpanish: "/id/tenure/jose-jeri-president-of-peru?lang=es",
    querySpanish: "/query?lang=es&example=tenure-ends",
    notFoundSpanish: NOT_FOUND + "?lang=es",
  };
  for (const [name, url] of Object.entries(pages)) report.axe[name] = await axe(page, url);
  report.keyboard = await keyboard(page);
  report.spanishEditor = await spanishEditor(page);
  report.print = await printed(page);
  await context.close();

  const dark = await newContext(WIDE, "dark");
  const night = await dark.newPage();
  watch(night);
  for (const [name, url] of Object.entries(kinds)) report.axeDark[name] = await axe(night, url);
  await dark.close();

  const narrow = await newContext(NARROW);
  const small = await narrow.newPage();
  watch(small);
  for (const [name, url] of Object.entries(kinds)) report.axeNarrow[name] = await axe(small, url);
  const every = [
    "/", "/?lang=es", "/id/jose-jeri", "/id/tenure/jose-jeri-president-of-peru", "/id/ecuador-peru-border",
    "/id/dataset", "/graph/verified", "/id/article/2025-12-12-peru-ecuador/sentence/08",
    "/id/review/2025-12-12-peru-ecuador/border-1500-km", "/id/query/full-disputed-values",
    "/query", "/query?example=full-disputed-values", "/ontology", "/download", "/id/jose-jery",
    "/search?q=jeri", "/browse", "/browse?class=https%3A%2F%2Fschema.org%2FPerson", "/release/",
    `/release/${release}/`, "/id/tenure/jose-jeri-president-of-peru?lang=es",
    "/query?lang=es&example=tenure-ends", "/download?lang=es", "/id/jose-jery?lang=es",
  ];
  for (const url of every) report.overflow[url] = await overflow(small, url);
  await narrow.close();
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
  console.log(JSON.stringify(report));
}
