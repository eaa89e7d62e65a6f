// Browser check of crisp's HTML reports (issue 15), run by scripts/check-reports.sh.
//
// Opens each report in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// renders it to PNG, and fails on: console errors and warnings, page errors, any request other
// than the report file itself (a report is one self-contained file), a <script> or an external
// URL in the page, a missing / hidden / too small / empty plot, NaN in a plot, labels drawn
// outside their plot, a page wider than the window, and a missing verdict or metrics table.
// The plots each kind of page must have are listed here (SPECS), not read from the page.
//
//   node check_reports.mjs [--shots DIR] [--readme-shot PAGE.html=OUT.png[@SELECTOR]]... SPEC=FILE...
//   node check_reports.mjs --self-test [--shots DIR]
//
// Exit 0 when every page passes, 1 when one fails, 2 when the browser cannot be started.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const NODE_DIR = process.env.CRISP_BROWSER_CHECK_DIR || '/var/tmp/crisp-browser-check';
const CHROMIUM = process.env.CRISP_CHROMIUM || '/usr/bin/chromium';
const WIDTH = 1200; // window width of the check and of the README screenshots
const HEIGHT = 900;
const README_HEIGHT = 1600; // README screenshots: the first 1600 px of the page
const MIN_SVG_W = 100;
const MIN_SVG_H = 80;
const MIN_DRAWN = 3; // drawn SVG elements a plot needs
const MIN_SCALE = 0.5; // an SVG shown at other than its viewBox size, its text scaled with it
const MAX_SCALE = 1.6;
const MIN_INK = 0.002; // share of a plot's pixels that differ from its background

// ---- What each page must show -----------------------------------------------------------------

const CLASSIFICATION = ['confusion_matrix', 'roc', 'pr', 'calibration', 'proba_histogram',
  'feature_importance', 'drift_psi', 'drift_overlay'];
const REGRESSION = ['residuals', 'predicted_vs_actual', 'feature_importance', 'drift_psi',
  'drift_overlay'];
const PROFILE = ['histogram', 'top_values', 'correlation'];
const PROFILE_TARGET = [...PROFILE, 'target_balance', 'target_correlation'];

// Column kinds of the datasets profiled (as `crisp profile --json` gives them): one histogram
// per numeric column, one top_values per text column (the target included).
const ADULT_NUMERIC = ['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss',
  'hours-per-week'];
const ADULT_TEXT = ['workclass', 'education', 'marital-status', 'occupation', 'relationship',
  'race', 'sex', 'native-country', 'income'];
const DIAMONDS_NUMERIC = ['carat', 'depth', 'table', 'price', 'x', 'y', 'z'];
const DIAMONDS_TEXT = ['cut', 'color', 'clarity'];

// report: <body data-report>; plots: every name must be there, and no other;
// columns: plot name -> the exact set of data-column values of its figures;
// metrics: a <table class="metrics"> is required; verdict: 'required' | 'optional';
// passed: the verdict's data-passed value when required.
const SPECS = {
  'train-classification': { report: 'train', plots: CLASSIFICATION, metrics: true, verdict: 'optional' },
  'train-regression': { report: 'train', plots: REGRESSION, metrics: true, verdict: 'optional' },
  'validate-classification': { report: 'validate', plots: CLASSIFICATION, metrics: true, verdict: 'required', passed: 'true' },
  'validate-classification-failed': { report: 'validate', plots: CLASSIFICATION, metrics: true, verdict: 'required', passed: 'false' },
  'validate-classification-slice': { report: 'validate', plots: [...CLASSIFICATION, 'slice_metrics'], metrics: true, verdict: 'required', passed: 'true' },
  'validate-regression': { report: 'validate', plots: REGRESSION, metrics: true, verdict: 'required', passed: 'true' },
  'validate-regression-slice': { report: 'validate', plots: [...REGRESSION, 'slice_metrics'], metrics: true, verdict: 'required', passed: 'true' },
  'profile-adult-target': { report: 'profile', plots: PROFILE_TARGET, columns: { histogram: ADULT_NUMERIC, top_values: ADULT_TEXT } },
  'profile-diamonds': { report: 'profile', plots: PROFILE, columns: { histogram: DIAMONDS_NUMERIC, top_values: DIAMONDS_TEXT } },
  'runs': { report: 'runs', plots: ['metric_over_time', 'param_vs_metric'] },
};

// ---- Command line -----------------------------------------------------------------------------

function usage(msg) {
  console.error(`check_reports: ${msg}`);
  console.error('usage: node check_reports.mjs [--shots DIR] [--readme-shot PAGE.html=OUT.png[@SELECTOR]]... SPEC=FILE...');
  console.error('       node check_reports.mjs --self-test [--shots DIR]');
  console.error(`specs: ${Object.keys(SPECS).join(', ')}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { shots: null, readme: new Map(), pages: [], selfTest: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--self-test') opts.selfTest = true;
    else if (a === '--shots') opts.shots = argv[++i] ?? usage('--shots needs a directory');
    else if (a === '--readme-shot') {
      const v = argv[++i] ?? usage('--readme-shot needs PAGE.html=OUT.png');
      const eq = v.indexOf('=');
      if (eq < 1) usage(`--readme-shot ${v}: expected PAGE.html=OUT.png`);
      opts.readme.set(v.slice(0, eq), v.slice(eq + 1));
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else {
      const eq = a.indexOf('=');
      if (eq < 1) usage(`${a}: expected SPEC=FILE`);
      const spec = a.slice(0, eq);
      if (!SPECS[spec]) usage(`unknown spec ${spec}`);
      opts.pages.push({ spec, file: path.resolve(a.slice(eq + 1)) });
    }
  }
  if (!opts.selfTest && opts.pages.length === 0) usage('no page to check');
  return opts;
}

// ---- The browser ------------------------------------------------------------------------------

function loadPlaywright() {
  const require = createRequire(path.join(NODE_DIR, 'package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    console.error(`check_reports: playwright-core is not installed in ${NODE_DIR} (scripts/check-reports.sh installs it): ${e.message.split('\n')[0]}`);
    process.exit(2);
  }
}

async function launch() {
  const { chromium } = loadPlaywright();
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    console.error(`check_reports: Chromium (${CHROMIUM}) did not start: ${e.message.split('\n')[0]}`);
    process.exit(2);
  }
}

// Everything the check reads off a loaded page, in one pass inside the page.
function readPage() {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const cs = getComputedStyle(el);
    return cs.display !== 'none' && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0;
  };
  const short = (s) => s.replace(/\s+/g, ' ').trim().slice(0, 40);
  const figures = [...document.querySelectorAll('figure.plot')].map((f) => {
    const cap = f.querySelector('figcaption');
    const svgs = f.querySelectorAll('svg');
    const svg = svgs[0] ?? null;
    const out = {
      plot: f.getAttribute('data-plot'),
      column: f.getAttribute('data-column'),
      caption: cap ? short(cap.textContent) : null,
      visible: visible(f),
      svg: null,
    };
    if (svg) {
      const r = svg.getBoundingClientRect();
      const drawn = svg.querySelectorAll('path, rect, line, polyline, polygon, circle, ellipse, text').length;
      const clipped = [];
      for (const t of svg.querySelectorAll('text')) {
        const tr = t.getBoundingClientRect();
        if (tr.width === 0 || !t.textContent.trim()) continue;
        if (tr.left < r.left - 2 || tr.right > r.right + 2 || tr.top < r.top - 2 || tr.bottom > r.bottom + 2) {
          clipped.push(short(t.textContent));
        }
      }
      // Labels drawn over each other (unreadable): pairs of texts whose boxes cross by > 2 px.
      const boxes = [...svg.querySelectorAll('text')]
        .filter((t) => t.textContent.trim())
        .map((t) => ({ t: short(t.textContent), r: t.getBoundingClientRect() }))
        .filter((b) => b.r.width > 0 && b.r.height > 0);
      const overlaps = [];
      for (let a = 0; a < boxes.length; a++) {
        for (let b = a + 1; b < boxes.length; b++) {
          const ra = boxes[a].r;
          const rb = boxes[b].r;
          const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (w > 2 && h > 2) overlaps.push(`"${boxes[a].t}" / "${boxes[b].t}"`);
        }
      }
      const nan = [];
      const GEOMETRY = new Set(['d', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'width',
        'height', 'points', 'transform', 'viewBox', 'dx', 'dy', 'opacity', 'fill-opacity']);
      for (const el of svg.querySelectorAll('*')) {
        for (const at of el.attributes) {
          if (GEOMETRY.has(at.name) && /NaN|Infinity/.test(at.value)) nan.push(`${el.tagName}@${at.name}`);
        }
        if (el.children.length === 0 && /^\s*-?(NaN|inf|Infinity)\s*$/i.test(el.textContent)) nan.push(`${el.tagName} text "${short(el.textContent)}"`);
      }
      // Drawn at another size than its viewBox: its text grows or shrinks with it.
      const vb = svg.viewBox && svg.viewBox.baseVal;
      const scale = vb && vb.width > 0 ? r.width / vb.width : 1;
      const vbText = vb && vb.width > 0 ? `${Math.round(vb.width)}×${Math.round(vb.height)}` : '';
      out.svg = { scale, vbText, x: r.left + scrollX, y: r.top + scrollY, w: Math.round(r.width), h: Math.round(r.height), visible: visible(svg), drawn, clipped, overlaps, nan };
    }
    return out;
  });
  // External URLs anywhere (attributes and styles), even where they would not be fetched.
  const external = [];
  const urlRe = /^\s*(https?:|\/\/|ftp:)/i;
  for (const el of document.querySelectorAll('*')) {
    for (const at of el.attributes) {
      if (['src', 'href', 'xlink:href', 'action', 'poster', 'data', 'srcset'].includes(at.name) && urlRe.test(at.value)) {
        external.push(`<${el.tagName.toLowerCase()} ${at.name}="${at.value.slice(0, 60)}">`);
      }
      if (at.name === 'style' && /url\(\s*['"]?\s*(https?:|\/\/)/i.test(at.value)) external.push(`style url() on <${el.tagName.toLowerCase()}>`);
    }
  }
  for (const st of document.querySelectorAll('style')) {
    const m = st.textContent.match(/(url\(\s*['"]?\s*(https?:|\/\/)[^)]*\)|@import[^;]*)/i);
    if (m) external.push(`<style> ${m[0].slice(0, 60)}`);
  }
  const table = document.querySelector('table.metrics');
  const verdict = document.querySelector('section.verdict');
  return {
    report: document.body ? document.body.getAttribute('data-report') : null,
    title: document.title,
    scripts: document.querySelectorAll('script').length,
    external,
    figures,
    metrics: table ? { visible: visible(table), rows: table.querySelectorAll('tr:has(td)').length } : null,
    verdict: verdict ? { visible: visible(verdict), passed: verdict.getAttribute('data-passed') } : null,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    height: document.documentElement.scrollHeight,
  };
}

// The pixels of a PNG that Chromium wrote (8-bit RGB or RGBA, not interlaced).
function decodePng(buf) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const color = body[9];
      channels = { 2: 3, 6: 4, 0: 1, 4: 2 }[color];
      if (depth !== 8 || !channels || body[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, color ${color})`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev ? prev[i] : 0;
      const c = prev && i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = v & 255;
    }
  }
  return { width, height, channels, data };
}

// Share of the pixels of a rectangle of a decoded PNG that differ clearly from the rectangle's
// most common colour (its background).
function inkShare(img, rect) {
  const { width, height, channels, data } = img;
  const x0 = Math.max(0, Math.round(rect.x));
  const y0 = Math.max(0, Math.round(rect.y));
  const x1 = Math.min(width, Math.round(rect.x + rect.w));
  const y1 = Math.min(height, Math.round(rect.y + rect.h));
  const n = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  if (n === 0) return 0;
  const rgb = (i) => (channels >= 3 ? [data[i], data[i + 1], data[i + 2]] : [data[i], data[i], data[i]]);
  const counts = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [r, g, b] = rgb((y * width + x) * channels);
      const k = (r << 16) | (g << 8) | b;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  let bg = 0;
  let best = -1;
  for (const [k, c] of counts) if (c > best) { best = c; bg = k; }
  const br = bg >> 16;
  const bgg = (bg >> 8) & 255;
  const bb = bg & 255;
  let ink = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [r, g, b] = rgb((y * width + x) * channels);
      if (Math.abs(r - br) + Math.abs(g - bgg) + Math.abs(b - bb) > 48) ink++;
    }
  }
  return ink / n;
}

function listPlots(figures) {
  const counts = new Map();
  for (const f of figures) counts.set(f.plot, (counts.get(f.plot) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n}×${c}` : n)).join(', ');
}

async function checkPage(browser, { spec: specName, file }, shotsDir, readmeOut) {
  const spec = SPECS[specName];
  const name = path.basename(file);
  const problems = [];
  if (!fs.existsSync(file)) return { name, problems: [`${file} does not exist`] };
  const fileUrl = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1, serviceWorkers: 'block' });
  const page = await context.newPage();
  const blocked = new Set();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === fileUrl) return route.continue();
    blocked.add(url);
    return route.abort('blockedbyclient');
  });
  page.on('request', (req) => {
    const url = req.url();
    if (url !== fileUrl && !url.startsWith('data:')) blocked.add(url);
  });
  page.on('requestfailed', (req) => {
    if (!blocked.has(req.url())) problems.push(`request failed: ${req.url().slice(0, 80)} (${req.failure()?.errorText})`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text().slice(0, 160)}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${String(err.message ?? err).split('\n')[0].slice(0, 160)}`));

  let info = null;
  try {
    await page.goto(fileUrl, { waitUntil: 'load', timeout: 30_000 });
    await page.waitForTimeout(150); // let late console messages and requests arrive
    info = await page.evaluate(readPage);
  } catch (e) {
    problems.push(`could not load: ${e.message.split('\n')[0]}`);
  }
  for (const url of blocked) problems.push(`request other than the file itself: ${url.slice(0, 100)}`);

  if (info) {
    if (info.report !== spec.report) problems.push(`<body data-report="${info.report}">, expected "${spec.report}"`);
    if (info.scripts > 0) problems.push(`${info.scripts} <script> element(s): a report has no script`);
    for (const x of info.external) problems.push(`external URL: ${x}`);
    if (info.scrollWidth > info.innerWidth + 1) problems.push(`page is ${info.scrollWidth} px wide in a ${info.innerWidth} px window (scrolls sideways)`);

    // One full-page rendering: the screenshot, and the pixels each plot's ink is counted on.
    let img = null;
    try {
      const png = await page.screenshot({ fullPage: true });
      if (shotsDir) fs.writeFileSync(path.join(shotsDir, name.replace(/\.html?$/i, '') + '.png'), png);
      img = decodePng(png);
    } catch (e) {
      problems.push(`screenshot failed: ${e.message.split('\n')[0]}`);
    }

    const expected = new Set(spec.plots);
    for (const plot of spec.plots) {
      if (!info.figures.some((f) => f.plot === plot)) problems.push(`${plot}: no <figure class="plot" data-plot="${plot}">`);
    }
    for (const [i, f] of info.figures.entries()) {
      const label = f.column != null ? `${f.plot}[${f.column}]` : `${f.plot}`;
      if (f.plot == null) { problems.push('a figure.plot without data-plot'); continue; }
      if (!expected.has(f.plot)) problems.push(`${label}: unexpected plot on a ${specName} page (if intended, add it to SPECS in scripts/check_reports.mjs)`);
      if (!f.caption) problems.push(`${label}: no <figcaption> text`);
      if (!f.svg) { problems.push(`${label}: no <svg>`); continue; }
      if (!f.visible || !f.svg.visible) problems.push(`${label}: not visible`);
      if (f.svg.w < MIN_SVG_W || f.svg.h < MIN_SVG_H) problems.push(`${label}: svg is ${f.svg.w}×${f.svg.h} px (needs at least ${MIN_SVG_W}×${MIN_SVG_H})`);
      if (f.svg.drawn < MIN_DRAWN) problems.push(`${label}: svg draws ${f.svg.drawn} element(s) (needs at least ${MIN_DRAWN})`);
      if (img && f.svg.visible && f.svg.w >= 1 && f.svg.h >= 1) {
        const ink = inkShare(img, f.svg);
        if (ink < MIN_INK) problems.push(`${label}: svg renders (nearly) blank: ${(ink * 100).toFixed(2)}% of its pixels drawn (needs ${(MIN_INK * 100).toFixed(1)}%)`);
      }
      if (f.svg.scale > MAX_SCALE || f.svg.scale < MIN_SCALE) problems.push(`${label}: svg drawn at ×${f.svg.scale.toFixed(2)} its size (viewBox ${f.svg.vbText} shown at ${f.svg.w}×${f.svg.h} px), so its text is out of scale with the other plots`);
      if (f.svg.nan.length) problems.push(`${label}: NaN/Infinity in ${f.svg.nan.slice(0, 3).join(', ')}${f.svg.nan.length > 3 ? ` and ${f.svg.nan.length - 3} more` : ''}`);
      if (f.svg.overlaps.length) problems.push(`${label}: ${f.svg.overlaps.length} pair(s) of labels drawn over each other: ${f.svg.overlaps.slice(0, 2).join(', ')}${f.svg.overlaps.length > 2 ? ', ...' : ''}`);
      if (f.svg.clipped.length) problems.push(`${label}: ${f.svg.clipped.length} label(s) drawn outside the svg (cut off): ${f.svg.clipped.slice(0, 3).map((s) => `"${s}"`).join(', ')}`);
    }
    for (const [plot, cols] of Object.entries(spec.columns ?? {})) {
      const got = info.figures.filter((f) => f.plot === plot).map((f) => f.column);
      if (got.length === 0) continue; // already said: no such figure at all
      const missing = cols.filter((c) => !got.includes(c));
      const extra = got.filter((c) => !cols.includes(c));
      if (missing.length) problems.push(`${plot}: no figure for column(s) ${missing.join(', ')}`);
      if (extra.length) problems.push(`${plot}: figure(s) for unexpected column(s) ${extra.map((c) => (c == null ? '(no data-column)' : c)).join(', ')}`);
    }
    if (spec.metrics) {
      if (!info.metrics) problems.push('no <table class="metrics">');
      else if (!info.metrics.visible) problems.push('<table class="metrics"> is not visible');
      else if (!info.metrics.rows) problems.push('<table class="metrics"> has no row with a cell');
    }
    if (info.verdict) {
      if (!['true', 'false'].includes(info.verdict.passed)) problems.push(`<section class="verdict" data-passed="${info.verdict.passed}">: expected true or false`);
      else if (spec.passed && info.verdict.passed !== spec.passed) problems.push(`verdict data-passed="${info.verdict.passed}", expected "${spec.passed}"`);
      if (!info.verdict.visible) problems.push('<section class="verdict"> is not visible');
    } else if (spec.verdict === 'required') problems.push('no <section class="verdict">');

    if (readmeOut) {
      // README screenshot: README_HEIGHT px of the page from its top, or from the top of the
      // first element that matches the selector after '@' (OUT.png@SELECTOR).
      const at = readmeOut.indexOf('@');
      const out = at < 0 ? readmeOut : readmeOut.slice(0, at);
      const selector = at < 0 ? null : readmeOut.slice(at + 1);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      await page.setViewportSize({ width: WIDTH, height: README_HEIGHT });
      let top = 0;
      if (selector) {
        top = await page.evaluate((sel) => {
          const el = document.querySelector(sel);
          return el ? Math.max(0, Math.floor(el.getBoundingClientRect().top + scrollY) - 12) : -1;
        }, selector);
        if (top < 0) { problems.push(`README screenshot: nothing matches ${selector}`); top = 0; }
      }
      const height = Math.max(1, Math.min(README_HEIGHT, info.height - top));
      await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: top, width: WIDTH, height } });
    }
  }
  await context.close();
  const bytes = fs.statSync(file).size;
  const kb = bytes < 10240 ? (bytes / 1024).toFixed(1) : Math.round(bytes / 1024);
  return { name, kb, problems, summary: info ? `${info.figures.length} plots (${listPlots(info.figures)})` : '' };
}

// ---- Self-test: hand-written pages, each failure must be caught --------------------------------

function fixtureSvg(w = 320, h = 200) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`
    + `<line x1="30" y1="${h - 20}" x2="${w - 10}" y2="${h - 20}" stroke="#333"/>`
    + `<line x1="30" y1="10" x2="30" y2="${h - 20}" stroke="#333"/>`
    + `<path d="M30 ${h - 20} L${w / 2} ${h / 2} L${w - 10} 15" fill="none" stroke="#1f77b4"/>`
    + `<rect x="60" y="${h / 2}" width="20" height="${h / 2 - 20}" fill="#ff7f0e"/>`
    + `<text x="${w / 2}" y="${h - 4}" font-size="11" text-anchor="middle">x</text></svg>`;
}

function fixtureFigure(plot, { column = null, svg = fixtureSvg(), style = '' } = {}) {
  const col = column != null ? ` data-column="${column}"` : '';
  return `<figure class="plot" data-plot="${plot}"${col}${style ? ` style="${style}"` : ''}><figcaption>${plot}${column ? ` of ${column}` : ''}</figcaption>${svg}</figure>`;
}

function fixturePage(report, body, { head = '', verdict = null, metrics = true } = {}) {
  const v = verdict == null ? '' : `<section class="verdict" data-passed="${verdict}"><h2>Verdict: ${verdict === 'true' ? 'PASS' : 'FAIL'}</h2></section>`;
  const m = metrics ? '<table class="metrics"><thead><tr><th>metric</th><th>value</th></tr></thead><tbody><tr><td>roc_auc</td><td>0.93</td></tr></tbody></table>' : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>crisp ${report} report</title>`
    + `<style>body{font-family:sans-serif;margin:2em;max-width:1100px}figure{display:inline-block;margin:1em}</style>${head}</head>`
    + `<body data-report="${report}"><h1>crisp ${report}</h1>${v}${m}${body}</body></html>`;
}

function selfTestCases() {
  const cls = (skip = [], extra = {}) => CLASSIFICATION.filter((p) => !skip.includes(p))
    .map((p) => (extra[p] ? extra[p] : fixtureFigure(p, p === 'drift_overlay' ? { column: 'age' } : {}))).join('');
  const profile = (skipCol = null) => [
    ...ADULT_NUMERIC.filter((c) => c !== skipCol).map((c) => fixtureFigure('histogram', { column: c })),
    ...ADULT_TEXT.map((c) => fixtureFigure('top_values', { column: c })),
    ...['correlation', 'target_balance', 'target_correlation'].map((p) => fixtureFigure(p)),
  ].join('');
  return [
    { name: 'good-train.html', spec: 'train-classification', html: fixturePage('train', cls()), expect: null },
    { name: 'good-validate.html', spec: 'validate-classification-slice', html: fixturePage('validate', cls() + fixtureFigure('slice_metrics'), { verdict: 'true' }), expect: null },
    { name: 'good-profile.html', spec: 'profile-adult-target', html: fixturePage('profile', profile(), { metrics: false }), expect: null },
    { name: 'missing-plot.html', spec: 'train-classification', html: fixturePage('train', cls(['pr'])), expect: /^pr: no <figure/ },
    { name: 'console-error.html', spec: 'train-classification', html: fixturePage('train', cls() + '<script>console.error("boom")</script>'), expect: /console error: boom/ },
    { name: 'page-error.html', spec: 'train-classification', html: fixturePage('train', cls() + '<script>throw new Error("kaput")</script>'), expect: /page error: .*kaput/ },
    { name: 'external-img.html', spec: 'train-classification', html: fixturePage('train', cls() + '<img src="http://example.com/x.png" alt="">'), expect: /request other than the file itself: http:\/\/example\.com\/x\.png/ },
    { name: 'external-css.html', spec: 'train-classification', html: fixturePage('train', cls(), { head: '<style>body{background:url("https://example.com/bg.png")}</style>' }), expect: /request other than the file itself: https:\/\/example\.com\/bg\.png/ },
    { name: 'local-file.html', spec: 'train-classification', html: fixturePage('train', cls() + '<img src="plot.png" alt="">'), expect: /request other than the file itself: file:.*plot\.png/ },
    { name: 'small-svg.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg(60, 40) }) })), expect: /^roc: svg is 60×40 px/ },
    { name: 'hidden-plot.html', spec: 'train-classification', html: fixturePage('train', cls([], { calibration: fixtureFigure('calibration', { style: 'visibility:hidden' }) })), expect: /^calibration: not visible/ },
    { name: 'empty-svg.html', spec: 'train-classification', html: fixturePage('train', cls([], { pr: fixtureFigure('pr', { svg: '<svg width="300" height="200"><text x="10" y="20">no data</text></svg>' }) })), expect: /^pr: svg draws 1 element/ },
    { name: 'blank-svg.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg().replace(/stroke="[^"]*"/g, 'stroke="none"').replace(/fill="#[^"]*"/g, 'fill="white"').replace('>x<', '><') }) })), expect: /^roc: svg renders \(nearly\) blank/ },
    { name: 'nan.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg().replace('<rect', '<path d="M0 0 LNaN 5"/><rect') }) })), expect: /^roc: NaN\/Infinity/ },
    { name: 'clipped-label.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg().replace('</svg>', '<text x="290" y="100">a long label cut off</text></svg>') }) })), expect: /^roc: 1 label\(s\) drawn outside/ },
    { name: 'overlapping-labels.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg().replace('</svg>', '<text x="40" y="60">United-States</text><text x="70" y="62">Canada</text></svg>') }) })), expect: /^roc: 1 pair\(s\) of labels drawn over each other: "United-States" \/ "Canada"/ },
    { name: 'stretched-svg.html', spec: 'train-classification', html: fixturePage('train', cls([], { roc: fixtureFigure('roc', { svg: fixtureSvg(150, 100).replace('<svg ', '<svg style="width:600px;height:400px" ') }) })), expect: /^roc: svg drawn at ×4\.00 its size/ },
    { name: 'wrong-report.html', spec: 'validate-classification', html: fixturePage('train', cls(), { verdict: 'true' }), expect: /data-report="train">, expected "validate"/ },
    { name: 'no-verdict.html', spec: 'validate-classification', html: fixturePage('validate', cls()), expect: /no <section class="verdict">/ },
    { name: 'no-metrics.html', spec: 'train-classification', html: fixturePage('train', cls(), { metrics: false }), expect: /no <table class="metrics">/ },
    { name: 'missing-column.html', spec: 'profile-adult-target', html: fixturePage('profile', profile('fnlwgt'), { metrics: false }), expect: /^histogram: no figure for column\(s\) fnlwgt/ },
    { name: 'unexpected-plot.html', spec: 'train-regression', html: fixturePage('train', cls()), expect: /^roc: unexpected plot/ },
    { name: 'too-wide.html', spec: 'train-classification', html: fixturePage('train', cls() + `<div style="width:2000px;height:10px"></div>`), expect: /scrolls sideways/ },
  ];
}

async function selfTest(browser, shotsDir) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crisp-report-fixtures-'));
  let passed = 0;
  let failed = 0;
  for (const c of selfTestCases()) {
    const file = path.join(dir, c.name);
    fs.writeFileSync(file, c.html);
    const r = await checkPage(browser, { spec: c.spec, file }, shotsDir, null);
    let ok;
    let why;
    if (c.expect == null) {
      ok = r.problems.length === 0;
      why = ok ? `passes: ${r.summary}` : `should pass but: ${r.problems.join('; ')}`;
    } else {
      ok = r.problems.some((p) => c.expect.test(p));
      why = ok ? `caught: ${r.problems.find((p) => c.expect.test(p))}` : `not caught (${c.expect}); problems: ${r.problems.join('; ') || 'none'}`;
    }
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: ${why}`);
    if (ok) passed++; else failed++;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`self-test: ${passed} passed, ${failed} failed`);
  return failed === 0;
}

// ---- Main -------------------------------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2));
if (opts.shots) fs.mkdirSync(opts.shots, { recursive: true });
const browser = await launch();
let good;
try {
  if (opts.selfTest) {
    good = await selfTest(browser, opts.shots);
  } else {
    let passed = 0;
    let failed = 0;
    for (const p of opts.pages) {
      const r = await checkPage(browser, p, opts.shots, opts.readme.get(path.basename(p.file)) ?? null);
      if (r.problems.length === 0) {
        passed++;
        console.log(`ok ${r.name} (${r.kb} KB): ${r.summary}`);
      } else {
        failed++;
        console.log(`FAIL ${r.name}${r.kb != null ? ` (${r.kb} KB)` : ''}: ${r.problems.length} problem(s)${r.summary ? `; found ${r.summary}` : ''}`);
        for (const pr of r.problems) console.log(`  - ${pr}`);
      }
    }
    for (const [page, out] of opts.readme) {
      if (!opts.pages.some((p) => path.basename(p.file) === page)) { console.log(`FAIL --readme-shot ${page}: no such page checked`); failed++; }
      else if (fs.existsSync(out.split('@')[0])) console.log(`wrote ${out.split('@')[0]}`);
    }
    console.log(`reports: ${passed} passed, ${failed} failed`);
    good = failed === 0;
  }
} finally {
  await browser.close();
}
process.exit(good ? 0 : 1);
