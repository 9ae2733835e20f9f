// Headless-Chromium check of the served site, as a reader sees it.
//
//   node check-browser.mjs --base http://127.0.0.1:PORT/ --out DIR
//        [--rules rules.tsv] [--tag api.tag] [--chapter NN-x.html]
//
// Loads the front page, a chapter, the rule index, an API page and the search
// page (searching for an API name taken from the Doxygen tag file), then fails
// (exit 1) on any JavaScript error, console error, failed request or HTTP
// error, a missing expected element, an empty body text or a blank render
// (a screenshot that is almost one colour). Screenshots go to DIR.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []));
const base = args.base;
const out = args.out;
if (!base || !out) {
  console.error("usage: node check-browser.mjs --base URL --out DIR [--rules F] [--tag F] [--chapter P]");
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

const failures = [];
const fail = (page, msg) => failures.push(`${page}: ${msg}`);

function readRules(file) {
  if (!file || !fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => {
    const [id, src] = l.split("\t");
    return { id, page: path.basename(src).replace(/\.md$/, ".html") };
  });
}

// An API name to search for and the API page that documents it.
function apiTarget(file) {
  if (!file || !fs.existsSync(file)) return null;
  const tag = fs.readFileSync(file, "utf8");
  const m = /<member kind="function">[\s\S]*?<name>([^<]+)<\/name>\s*<anchorfile>([^<]+)<\/anchorfile>/.exec(tag);
  if (m) return { name: m[1], page: "api/" + (m[2].endsWith(".html") ? m[2] : m[2] + ".html") };
  const s = /<compound kind="struct">\s*<name>([^<]+)<\/name>\s*<filename>([^<]+)<\/filename>/.exec(tag);
  if (s) return { name: s[1], page: "api/" + (s[2].endsWith(".html") ? s[2] : s[2] + ".html") };
  return null;
}

const rules = readRules(args.rules);
const api = apiTarget(args.tag);
const chapter = args.chapter || (rules[0] && rules[0].page);

// [name, url path, checks(page) -> list of problems, viewport]
const visits = [
  ["index", "index.html", async (p) => expect(p, {
    "header.topbar a.brand": 1, "article h1": 1, "ol.cards li a": 1, "aside.sidebar .chapters": 1 })],
];
if (chapter) {
  const chapterRules = rules.filter((r) => r.page === chapter).map((r) => r.id);
  visits.push(["chapter", chapter, async (p) => {
    const probs = await expect(p, { "article h1": 1, ".chapters li.current": 1, ".page-head .source-note a": 1 });
    for (const id of chapterRules) {
      const ok = await p.$eval(`[id="${id}"]`, (el) =>
        el.classList.contains("rule") && !!el.querySelector(`a.rule-id[href="#${el.id}"]`)).catch(() => false);
      if (!ok) probs.push(`rule ${id}: no anchor with a visible permalink`);
    }
    return probs;
  }]);
  visits.push(["chapter-phone", chapter, async (p) => expect(p, { "article h1": 1, "label.menu-button": 1 }),
    { width: 390, height: 844, isMobile: true, deviceScaleFactor: 1 }]);
  visits.push(["chapter-print", chapter, async (p) => {
    const hidden = await p.$eval("header.topbar", (el) => getComputedStyle(el).display === "none");
    return hidden ? [] : ["print stylesheet does not hide the top bar"];
  }, null, "print"]);
} else {
  fail("chapter", "no chapter to check (no rules and no --chapter)");
}
visits.push(["rules", "rules.html", async (p) => {
  const probs = await expect(p, { "article h1": 1 });
  if (rules.length) {
    const n = await p.$$eval("table.rules tbody tr[id]", (rows) => rows.length);
    if (n !== rules.length) probs.push(`rule table has ${n} rows, make rules printed ${rules.length}`);
  }
  return probs;
}]);
if (api) {
  visits.push(["api", api.page, async (p) => {
    const probs = await expect(p, { ".contents": 1, "nav.mmuspec-bar a": 1 });
    const has = await p.evaluate((n) => document.body.innerText.includes(n), api.name);
    if (!has) probs.push(`API page does not mention ${api.name}`);
    return probs;
  }]);
} else {
  visits.push(["api", "api/index.html", async (p) => expect(p, { "article h1, .contents": 1 })]);
}
if (api) {
  visits.push(["search", "search.html?q=" + encodeURIComponent(api.name), async (p) => {
    try {
      await p.waitForSelector(".pagefind-ui__result-link", { timeout: 15000 });
    } catch {
      return [`pagefind search for "${api.name}" gave no result`];
    }
    const links = await p.$$eval(".pagefind-ui__result-link", (as) => as.map((a) => a.getAttribute("href")));
    return links.some((h) => h.includes("api/")) ? [] :
      [`pagefind search for "${api.name}" did not find its API page (got ${links.join(" ")})`];
  }]);
}

async function expect(page, selectors) {
  const probs = [];
  for (const [sel, min] of Object.entries(selectors)) {
    const n = await page.$$eval(sel, (els) => els.length);
    if (n < min) probs.push(`missing element ${sel}`);
  }
  return probs;
}

// Fraction of pixels that differ from the most common colour (via a canvas).
let inkPage = null;
async function inkRatio(browser, png) {
  if (!inkPage) {
    inkPage = await browser.newPage();
    await inkPage.setContent("<canvas id=c></canvas>");
  }
  const p = inkPage;
  {
    return await p.evaluate(async (b64) => {
      const img = new Image();
      img.src = "data:image/png;base64," + b64;
      await img.decode();
      const c = document.getElementById("c");
      c.width = img.width; c.height = img.height;
      const ctx = c.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const counts = new Map();
      for (let i = 0; i < d.length; i += 16) {
        const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        counts.set(k, (counts.get(k) || 0) + 1);
      }
      let max = 0, total = 0;
      for (const v of counts.values()) { total += v; if (v > max) max = v; }
      return { ink: 1 - max / total, colours: counts.size };
    }, png.toString("base64"));
  }
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "mmuspec-chromium-"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  userDataDir: profile,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage", "--hide-scrollbars"],
});
const origin = new URL(base).origin;
try {
  for (const [name, rel, check, viewport, media] of visits) {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    await page.setViewport(viewport || { width: 1280, height: 900 });
    if (media) await page.emulateMediaType(media);
    const errs = [];
    page.on("pageerror", (e) => errs.push("JavaScript error: " + e.message));
    page.on("console", (m) => { if (m.type() === "error") errs.push("console error: " + m.text()); });
    page.on("requestfailed", (r) => errs.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on("response", (r) => {
      if (r.status() >= 400 && r.url().startsWith(origin)) errs.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    const url = new URL(rel, base).href;
    const t0 = Date.now();
    let resp;
    try {
      resp = await page.goto(url, { waitUntil: "load", timeout: 20000 });
      await page.waitForNetworkIdle({ idleTime: 150, timeout: 10000 });
    } catch (e) {
      fail(name, `could not load ${url}: ${e.message}`);
      await page.close();
      continue;
    }
    if (!resp || (!resp.ok() && resp.status() !== 304)) fail(name, `HTTP ${resp ? resp.status() : "no response"} for ${url}`);
    for (const p of await check(page)) fail(name, p);
    const text = await page.evaluate(() => document.body ? document.body.innerText.trim().length : 0);
    if (text < 40) fail(name, `body text is empty or nearly so (${text} characters)`);
    const shot = path.join(out, name + ".png");
    const png = await page.screenshot({ path: shot });
    const { ink, colours } = await inkRatio(browser, Buffer.from(png));
    if (ink < 0.01 || colours < 4) {
      fail(name, `blank render: ${(ink * 100).toFixed(2)}% of pixels differ from the background, ${colours} colours (${shot})`);
    }
    for (const e of errs) fail(name, e);
    console.log(`  ${name.padEnd(14)} ${url}  ink ${(ink * 100).toFixed(1)}%  ${Date.now() - t0} ms  -> ${shot}`);
    await page.close();
  }
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
if (failures.length) {
  console.error("browser check FAILED:");
  for (const f of failures) console.error("  " + f);
  process.exit(1);
}
console.log(`browser check: ${visits.length} pages ok`);
