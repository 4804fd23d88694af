// Drive Debian's chromium through the query page: landing page -> example query -> results
// table -> IRI -> entity page. Every request is recorded; any that is not for the server under
// test is aborted and reported. Usage: node query-flow.mjs BASE_URL EXAMPLE_TITLE OUT_DIR
import { chromium } from "playwright-core";
import path from "node:path";

const [base, exampleTitle, outDir] = process.argv.slice(2);
const origin = new URL(base).origin;
const requests = [];
const outside = [];
const consoleErrors = [];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const report = { requests, outside, consoleErrors };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(origin + "/") || url === origin) {
      return route.continue();
    }
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });

  await page.goto(base + "/", { waitUntil: "networkidle" });
  report.landingTitle = await page.title();
  await page.screenshot({ path: path.join(outDir, "landing.png"), fullPage: true });

  await page.getByRole("button", { name: exampleTitle }).click();
  const firstRow = page.locator(".yasr table tbody tr").first();
  await firstRow.waitFor({ state: "visible", timeout: 20000 });
  report.headers = await page.locator(".yasr table thead th").allInnerTexts();
  report.rows = await page.locator(".yasr table tbody tr").count();
  await page.locator(".yasr").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(outDir, "results.png"), fullPage: false });

  const link = page.locator(".yasr table tbody a.iri").first();
  report.clickedHref = await link.getAttribute("href");
  await Promise.all([page.waitForURL("**" + report.clickedHref), link.click()]);
  await page.waitForLoadState("networkidle");
  report.entityUrl = page.url();
  report.entityHeading = await page.locator("h1").innerText();
  await page.screenshot({ path: path.join(outDir, "entity.png"), fullPage: true });
} finally {
  await browser.close();
  console.log(JSON.stringify(report));
}
