// Headless-Chromium check of the served site, as a reader sees it.
//
//   node check-browser.mjs --base http://127.0.0.1:PORT/ --out DIR
//        [--rules rules.tsv] [--tag api.tag] [--chapter NN-x.html]
//
// Loads the front page, a chapter, the rule index, the litmus, bug-zoo and
// diagram pages, an API page (each at desktop and phone width) and the search
// page (searching for an API name taken from the Doxygen tag file), then fails
// (exit 1) on any JavaScript error, console error, failed request or HTTP
// error, a missing expected element, an empty body text, a blank render (a
// screenshot that is almost one colour), a top bar that is not at the very
// top of the page or differs from the front page's, or a page that scrolls
// sideways. Screenshots go to DIR.
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
const PHONE = { width: 390, height: 844, isMobile: true, deviceScaleFactor: 1 };
let frontBar = null;     // the front page's top-bar links: [text, absolute URL]
let zooRules = null;     // bug-zoo page: [bug name, rule ID] of every zoo entry
const visits = [
  ["index", "index.html", async (p) => {
    const probs = await expect(p, {
      "header.topbar a.brand": 1, "article h1": 1, "ol.cards li a": 1, "aside.sidebar .chapters": 1 });
    frontBar = await barLinks(p);
    // every chapter card: its title and a one-line summary, and compact
    const cards = await p.$$eval("ol.chapter-cards > li", (lis) => lis.map((li) => ({
      t: li.querySelector("a")?.textContent.trim() || "",
      s: li.querySelector(".summary")?.textContent.trim() || "",
      h: li.getBoundingClientRect().height })));
    if (!cards.length) probs.push("no chapter cards (ol.chapter-cards > li)");
    for (const c of cards) {
      if (c.s.length < 10) probs.push(`chapter card "${c.t}" has no summary`);
      if (c.h > 170) probs.push(`chapter card "${c.t}" is ${Math.round(c.h)} px tall (at most 170)`);
    }
    return probs;
  }],
  ["index-phone", "index.html", async (p) => expect(p, { "article h1": 1, "ol.chapter-cards li .summary": 1 }), PHONE],
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
    PHONE]);
  visits.push(["chapter-print", chapter, async (p) => {
    const hidden = await p.$eval("header.topbar", (el) => getComputedStyle(el).display === "none");
    return hidden ? [] : ["print stylesheet does not hide the top bar"];
  }, null, "print"]);
} else {
  fail("chapter", "no chapter to check (no rules and no --chapter)");
}
// Generated pages. The bug-zoo page comes before the rule index, which must
// list every zoo entry under the rule the entry names.
visits.push(["litmus", "litmus.html", async (p) => (await expect(p, { "article h1": 1 })).concat(await tableFits(p))]);
visits.push(["litmus-phone", "litmus.html", async (p) => expect(p, { "article h1": 1 }), PHONE]);
visits.push(["bugzoo", "bugzoo.html", async (p) => {
  const probs = await expect(p, { "article h1": 1 });
  probs.push(...await tableFits(p));
  zooRules = await p.$$eval("table.zoo tbody tr", (rows) => rows.map((r) => [
    r.cells[0].textContent.trim(), r.cells[1].textContent.trim()]));
  return probs;
}]);
visits.push(["bugzoo-phone", "bugzoo.html", async (p) => expect(p, { "article h1": 1 }), PHONE]);
visits.push(["diagrams", "diagrams.html", async (p) => diagramChecks(p)]);
visits.push(["diagrams-phone", "diagrams.html", async (p) => diagramChecks(p), PHONE]);
visits.push(["rules", "rules.html", async (p) => {
  const probs = await expect(p, { "article h1": 1 });
  if (rules.length) {
    const n = await p.$$eval("table.rules tbody tr[id]", (rows) => rows.length);
    if (n !== rules.length) probs.push(`rule table has ${n} rows, make rules printed ${rules.length}`);
  }
  probs.push(...await tableFits(p));
  const cols = await p.$$eval("table.rules thead th", (ths) => ths.map((th) => th.textContent.trim()));
  const col = (name) => cols.indexOf(name);
  const rows = await p.$$eval("table.rules tbody tr[id]", (trs) => trs.map((tr) => ({
    id: tr.id, cells: [...tr.cells].map((td) => td.textContent.replace(/\s+/g, " ").trim()) })));
  // a rule that is not an oracle rule says what checks it instead
  for (const r of rows) {
    const c = r.cells[col("Oracle check")] || "";
    if (/not an oracle rule/i.test(c) && c.replace(/not an oracle rule/i, "").trim().length < 5)
      probs.push(`rule ${r.id}: not an oracle rule, but the Oracle check column does not say what checks it`);
  }
  for (const [bug, rule] of zooRules || []) {
    const r = rows.find((x) => x.id === rule);
    if (!r) probs.push(`bug-zoo entry ${bug} names rule ${rule}, which has no row`);
    else if (!(r.cells[col("Bug zoo")] || "").includes(bug))
      probs.push(`rule ${rule}: the Bug zoo column does not list ${bug} (the zoo says it breaks ${rule})`);
  }
  return probs;
}]);
visits.push(["rules-phone", "rules.html", async (p) => expect(p, { "table.rules": 1 }), PHONE]);
if (api) {
  visits.push(["api", api.page, async (p) => {
    const probs = await expect(p, { ".contents": 1, "header.topbar a.brand": 1 });
    const bar = await barLinks(p);
    if (frontBar && JSON.stringify(bar) !== JSON.stringify(frontBar)) {
      probs.push(`top bar differs from the front page's: ${bar.map((l) => l[0]).join(", ")} ` +
                 `vs ${frontBar.map((l) => l[0]).join(", ")}`);
    }
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
    const probs = [];
    return links.some((h) => h.includes("api/")) ? probs : probs.concat(
      [`pagefind search for "${api.name}" did not find its API page (got ${links.join(" ")})`]);
  }]);
}

if (api) visits.splice(visits.findIndex((v) => v[0] === "api") + 1, 0,
  ["api-phone", api.page, async (p) => expect(p, { ".contents": 1, "header.topbar a.brand": 1 }), PHONE]);

// [text, absolute URL] of the top bar's links and its search form's target.
async function barLinks(page) {
  return page.$$eval("header.topbar a, header.topbar form", (els) => els.map((e) =>
    e.tagName === "FORM" ? ["search form", e.action] : [e.textContent.trim(), e.href]));
}

// The top bar is the first thing on the page: at y = 0, full width, nothing
// above it.
async function topBarChecks(page) {
  return page.evaluate(() => {
    window.scrollTo(0, 0);
    const bar = document.querySelector("header.topbar");
    if (!bar) return ["no top bar (header.topbar)"];
    const r = bar.getBoundingClientRect();
    const probs = [];
    if (Math.abs(r.top) > 0.5) probs.push(`top bar is at y=${r.top.toFixed(1)}, not at the top of the page`);
    if (r.left > 0.5 || r.width < window.innerWidth - 1) probs.push(`top bar does not span the page (x=${r.left}, width ${r.width})`);
    const hit = document.elementFromPoint(window.innerWidth / 2, 1);
    if (!hit || !bar.contains(hit)) probs.push(`something other than the top bar is at the top of the page: <${hit ? hit.tagName.toLowerCase() : "nothing"}>`);
    return probs;
  });
}

// At desktop width the generated tables show every column without
// scrolling sideways.
async function tableFits(page) {
  return page.$$eval("table.rules, table.zoo, table.litmus-index", (ts) => ts.filter((t) => t.scrollWidth > t.clientWidth + 1)
    .map((t) => `table.${t.className} needs ${t.scrollWidth} px, has ${t.clientWidth}: its last columns are cut off`));
}

// Nothing makes the page itself scroll sideways (wide code and tables
// scroll inside their own box).
async function overflowChecks(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= w + 1) return [];
    const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > w + 1)
      .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= w + 1)
      .slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : ""));
    return [`page is ${document.documentElement.scrollWidth} px wide in a ${w} px window (too wide: ${wide.join(", ")})`];
  });
}

// Every diagram is drawn (an SVG with shapes) and its text is not shrunk
// below a readable size.
async function diagramChecks(page) {
  const probs = await expect(page, { "article h1": 1 });
  const figs = await page.$$eval("figure.diagram", (fs) => fs.map((f) => {
    const svg = f.querySelector("svg");
    if (!svg) return { id: f.id, shapes: 0, font: 0 };
    const t = svg.querySelector("text");
    const scale = svg.getBoundingClientRect().width / (svg.viewBox.baseVal?.width || svg.getBoundingClientRect().width);
    const size = t ? parseFloat(t.getAttribute("font-size") || getComputedStyle(t).fontSize) * scale : 0;
    return { id: f.id || f.querySelector("figcaption")?.textContent.slice(0, 30), shapes: svg.querySelectorAll("path, polygon, ellipse").length, font: size };
  }));
  for (const f of figs) {
    if (f.shapes < 2) probs.push(`diagram ${f.id}: no drawing`);
    else if (f.font < 9) probs.push(`diagram ${f.id}: text drawn at ${f.font.toFixed(1)} px (shrunk to fit; at least 9)`);
  }
  return probs;
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
    if (!media) {
      for (const p of await topBarChecks(page)) fail(name, p);
      for (const p of await overflowChecks(page)) fail(name, p);
    }
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
