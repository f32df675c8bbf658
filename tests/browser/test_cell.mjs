// Issue 15, the coordination cell at work: what its night on the dashboard needs, as a person
// checks it in Chromium. First: the regional dashboard's first load, in bytes on the wire
// (Chromium's own count of what each response took on the network, headers included).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  assert, assertEqual, launchBrowser, Server, withDemo, openDashboard, screenshot, ARTIFACTS, WORK_DIR, sleep,
} from './lib.mjs';

// Opens the dashboard in a fresh Chromium and sums Network.loadingFinished's encodedDataLength
// until the page is ready and live and the network has been quiet for a moment.
// identity: the browser asks for uncompressed answers (Accept-Encoding: identity), as renfortd
// served every answer before it compressed them: the load of "before", measured the same way.
async function firstLoadBytes(server, { identity = false } = {}) {
  const browser = await launchBrowser();
  try {
    const page = await browser.page();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
    let bytes = 0;
    let requests = 0;
    const byType = {};
    const urls = new Map();
    cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
      requests++;
      const u = (urls.get(e.requestId) || '').replace(/\?.*/, '').replace(/^https?:\/\/[^/]+/, '');
      byType[u] = (byType[u] || 0) + e.encodedDataLength;
    });
    await page.goto(`${server.url}/?token=${encodeURIComponent(server.token)}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
    await page.waitForLoadState('networkidle');
    return { bytes, requests, byType };
  } finally {
    await browser.close();
  }
}

function describe(m) {
  const top = Object.entries(m.byType).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([u, n]) => `${u} ${n}`).join(', ');
  return `${m.bytes} bytes in ${m.requests} responses (${top})`;
}


// --- helpers --------------------------------------------------------------------------------------

async function openPage(browser, server, file, token) {
  const page = await browser.page();
  await page.goto(`${server.url}/${file}?token=${encodeURIComponent(token)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  return page;
}

// How soon an alert runs out, as the feed sorts them (triage.js): stock-outs, then the least cover.
function daysLeft(a) {
  if (a.kind !== 'shortage') return Infinity;
  if (a.severity === 'stockout' || a.quantity === 0) return 0;
  return a.days_of_cover ?? Infinity;
}

// axe-core in the page: the serious and critical violations.
async function axeViolations(page) {
  const require = createRequire(path.join(WORK_DIR, 'package.json'));
  // evaluated through the devtools protocol: the pages' Content-Security-Policy forbids inline scripts
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const res = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

export const more = [
  {
    name: 'worst first: the nearest stock-out leads a region of hundreds of alerts, every one reachable',
    // 1,400 alerts opened and paged through "more" to the last: 80 s on a loaded two-core machine
    timeout: 240000,
    fn: () => withDemo(async ({ server, browser }) => {
      const ehpads = await server.ehpads(6);
      await server.seedShortages(ehpads.map((s) => s.id));
      const all = await server.activeAlerts();
      assert(all.length > 300, `hundreds of alerts (${all.length})`);
      const open = all.filter((a) => a.status === 'open');
      const best = Math.min(...open.map(daysLeft));
      const page = await openDashboard(browser, server);
      const first = Number(await page.getAttribute('#alerts li.alert >> nth=0', 'data-id'));
      const a = all.find((x) => x.id === first);
      assertEqual(daysLeft(a), best, `the first alert of the feed runs out first (#${first} ${a.severity} ${a.days_of_cover})`);
      // the feed's order never goes back to a sooner stock-out
      const ids = (await page.$$eval('#alerts li.alert', (els) => els.map((e) => Number(e.dataset.id))));
      const byId = new Map(all.map((x) => [x.id, x]));
      const heads = await page.$$eval('#alerts li.holder-group', (els) => els.map((g) => Number(g.querySelector('li.alert').dataset.id)));
      for (let i = 1; i < heads.length; i++) {
        const p = byId.get(heads[i - 1]);
        const q = byId.get(heads[i]);
        if (p.status === q.status) assert(daysLeft(p) <= daysLeft(q), `group ${i} before ${i + 1}: ${daysLeft(p)} <= ${daysLeft(q)}`);
      }
      assert(ids.length < all.length, 'the feed starts with a page of structures');
      // "more" until every alert is there
      for (let i = 0; i < 200 && await page.locator('#alerts-more').count(); i++) await page.click('#alerts-more');
      assertEqual(await page.locator('#alerts li.alert').count(), all.length, 'every open alert reachable');
      // one structure, one row: its items under it
      const groups = await page.locator('#alerts li.holder-group').count();
      const holders = new Set(all.map((x) => (x.holder_kind === 'none' ? `n${x.id}` : `${x.holder_kind}${x.holder_id}`)));
      assertEqual(groups, holders.size, 'one row per structure');
      // filters: an item, a search
      await page.selectOption('#alerts-item', 'respirator');
      const resp = all.filter((x) => x.item === 'respirator').length;
      await page.waitForFunction((n) => document.querySelector('#alerts-count').textContent.replace(/\D/g, '') === String(n), resp);
      await page.selectOption('#alerts-item', '');
      await page.fill('#alerts-q', ehpads[0].name);
      await page.waitForFunction((name) => [...document.querySelectorAll('#alerts .group-head .holder')].every((b) => b.textContent === name), ehpads[0].name);
      await screenshot(page, 'cell-worst-first');
      // the département table: the least covered structure beside the aggregate, red where one is out
      const cover = await server.api('GET', '/stock/cover');
      const out = cover.items.find((c) => c.dep !== 'region' && c.worst_days_of_cover === 0 && c.days_of_cover !== 0);
      assert(out, 'a département item whose aggregate hides a stock-out');
      const cell = page.locator(`#cover td[data-dep="${out.dep}"][data-item="${out.item}"]`);
      assertEqual((await cell.locator('.worst.cover-stockout').textContent()).trim(), 'min 0', 'the worst cover shows');
    }),
  },
  {
    name: 'an acknowledgement keeps the place and the focus, and a second coordinator sees who made it',
    fn: () => withDemo(async ({ server, browsers }) => {
      const marie = server.makeToken('coordinator', { scope: 'region', label: 'Marie Dupont' });
      const paul = server.makeToken('coordinator', { scope: 'region', label: 'Paul Martin' });
      const [pm, pp] = [await openDashboard(browsers[0], server, marie), await openDashboard(browsers[1], server, paul)];
      // Marie scrolls the feed down and acknowledges the 8th alert
      const target = pm.locator('#alerts li.alert.status-open >> nth=7');
      const id = Number(await target.getAttribute('data-id'));
      await target.scrollIntoViewIfNeeded();
      const before = await pm.evaluate(() => [window.scrollY, document.querySelector('.alerts-card').scrollTop, document.querySelector('#alerts').scrollTop]);
      // the answer held back until the event has redrawn the feed behind the dialog (as on a slow
      // network): the place is still kept
      await pm.route('**/api/v1/alerts/*/acknowledge', async (route) => {
        const answer = await route.fetch();
        await pm.waitForFunction((x) => window.renfort.state.alerts.get(x)?.status === 'acknowledged', id);
        await sleep(300);
        await route.fulfill({ response: answer });
      });
      await target.locator('button.ack').click();
      await pm.fill('#alert-note', 'livraison 6h');
      await pm.click('#alert-confirm');
      // the answer, not the event (which may come first, the dialog still open): the dialog closed
      await pm.waitForFunction((x) => window.renfort.state.alerts.get(x)?.status === 'acknowledged' &&
        !document.querySelector('#alert-dialog').open, id);
      const after = await pm.evaluate(() => [window.scrollY, document.querySelector('.alerts-card').scrollTop, document.querySelector('#alerts').scrollTop]);
      assertEqual(JSON.stringify(after), JSON.stringify(before), 'the page and the feed did not move');
      const focus = await pm.evaluate(() => {
        const el = document.activeElement;
        return el && el.closest('#alerts li.alert') ? Number(el.closest('li.alert').dataset.id) : null;
      });
      assert(focus !== null, 'the focus stays in the feed');
      // Paul's screen says who (the acknowledged alert went below the open ones: he looks it up)
      const holder = (await pp.evaluate((x) => window.renfort.state.alerts.get(x).holder_name, id));
      await pp.fill('#alerts-q', holder);
      await pm.fill('#alerts-q', holder);
      await pp.waitForFunction((x) => (document.querySelector(`#alerts li.alert[data-id="${x}"] .meta`)?.textContent || '').includes('Marie Dupont'), id, { timeout: 10000 });
      const meta = await pp.textContent(`#alerts li.alert[data-id="${id}"] .meta`);
      assert(meta.includes('livraison 6h'), `the note too (${meta})`);
      // Paul takes it: Marie sees it
      await pp.locator(`#alerts li.alert[data-id="${id}"] button.take`).click();
      await pm.waitForFunction((x) => (document.querySelector(`#alerts li.alert[data-id="${x}"] .meta`)?.textContent || '').includes('Paul Martin'), id, { timeout: 10000 });
      await screenshot(pp, 'cell-ack-second-screen');
    }, { browsers: 2 }),
  },
  {
    name: 'a count 100 times the last is asked about, then sent confirmed; 12,5 is refused; the history survives a reload',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '81');
      const token = server.makeToken('structure', { subject: s.id });
      const held = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&item=gloves-examination`);
      const last = held.items[0].quantity;
      assert(last >= 10, `a level to count against (${last})`);
      const page = await openPage(browser, server, 'structure.html', token);
      // a decimal where the unit counts whole pairs: refused on the page, nothing sent
      let sent = 0;
      page.on('request', (r) => { if (r.url().endsWith('/api/v1/stock/reports')) sent++; });
      await page.fill('#q-gloves-examination', '12,5');
      await page.click('#report-submit');
      await page.waitForFunction(() => document.querySelector('#q-gloves-examination').getAttribute('aria-invalid') === 'true');
      assertEqual(sent, 0, '12,5 is not sent (nor read as 125)');
      // 100 times the last count: the server refuses it, the page asks
      await page.fill('#q-gloves-examination', String(last * 100));
      await page.click('#report-submit');
      await page.waitForSelector('#count-dialog[open]');
      const question = await page.textContent('#count-dialog-h');
      const digits = question.replace(/[\s\u00a0\u202f]/g, '');
      assert(digits.includes(String(last * 100)) && digits.includes(String(last)), `"${question}" names both`);
      await screenshot(page, 'cell-plausibility');
      let level = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&item=gloves-examination`);
      assertEqual(level.items[0].quantity, last, 'nothing written while it is asked');
      await page.click('#confirm-count');
      await page.waitForSelector('#report-status.ok', { timeout: 10000 });
      level = await server.api('GET', `/stock/levels?holder_kind=structure&holder_id=${s.id}&item=gloves-examination`);
      assertEqual(level.items[0].quantity, last * 100, 'sent confirmed');
      assertEqual(sent, 2, 'refused once, then confirmed');
      // the history chart, again after a reload (and no token asked: it is kept on the device)
      await page.selectOption('#history-item', 'gloves-examination');
      await page.waitForFunction(() => Number(document.querySelector('#history-chart')?.dataset.points) >= 2);
      await page.reload();
      await page.waitForSelector('body[data-ready="1"]');
      assert(await page.locator('#login:not([hidden])').count() === 0, 'the token is remembered on the device');
      await page.selectOption('#history-item', 'gloves-examination');
      await page.waitForFunction(() => Number(document.querySelector('#history-chart')?.dataset.points) >= 2 &&
        document.querySelector('#history-chart svg path'));
      await screenshot(page, 'cell-history', { fullPage: true });
    }, { allowProblems: [/status of 422/] }),
  },
  {
    name: 'the situation report prints to PDF with its facts',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '81');
      await server.report(s.id, { respirator: 0 }, `sitrep-${s.id}`);
      const page = await openPage(browser, server, 'report.html', server.token);
      await page.waitForFunction((name) => document.querySelector('#sitrep-stockouts').textContent.includes(name), s.name);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const pdf = path.join(ARTIFACTS, 'situation-report.pdf');
      await page.emulateMedia({ media: 'print' });
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      assertEqual(text.status, 0, `pdftotext: ${text.stderr}`);
      for (const want of ['Point de situation', 'Structures en rupture', s.name, 'Complétude des déclarations', 'À relancer']) {
        assert(text.stdout.includes(want), `the PDF says "${want}"`);
      }
      assert(!text.stdout.includes('Télécharger le CSV'), 'the controls are not printed');
      // and its CSV
      const csv = await server.http('GET', '/reports/situation?format=csv');
      assert(String(csv.data).startsWith('section,dep,subject,detail,count'), 'the CSV');
    }),
  },
  {
    name: 'a new critical alert: title badge and desktop notification, for the coordinator who allowed them',
    fn: () => withDemo(async ({ server, browser }) => {
      await browser.context.grantPermissions(['notifications'], { origin: server.url });
      await browser.context.addInitScript(() => {
        window.__notes = [];
        const Real = window.Notification;
        class Recorded extends Real {
          constructor(title, opts) {
            super(title, opts);
            window.__notes.push({ title, body: opts && opts.body });
          }
        }
        Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
        Recorded.requestPermission = (...a) => Real.requestPermission(...a);
        window.Notification = Recorded;
      });
      const page = await openDashboard(browser, server);
      await page.click('#attn-notify');
      await page.waitForFunction(() => document.querySelector('#attn-notify').getAttribute('aria-pressed') === 'true');
      const [s] = await server.ehpads(1, '34');
      await server.report(s.id, { respirator: 0 }, `attention-${s.id}`);
      await page.waitForFunction(() => /^\(\d+\) /.test(document.title), null, { timeout: 10000 });
      await page.waitForFunction((name) => window.__notes.some((n) => n.title.includes(name)), s.name, { timeout: 10000 });
      await page.mouse.click(5, 300);
      await page.waitForFunction(() => !/^\(\d+\) /.test(document.title));
    }),
  },
  {
    name: 'axe-core finds no serious violation on any page',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '81');
      const structure = server.makeToken('structure', { subject: s.id });
      const problems = [];
      const pages = [['dashboard', await openDashboard(browser, server)]];
      pages.push(['report', await openPage(browser, server, 'report.html', server.token)]);
      const sp = await (await browser.context.newPage());
      await sp.goto(`${server.url}/structure.html?token=${encodeURIComponent(structure)}`);
      await sp.waitForSelector('body[data-ready="1"]');
      pages.push(['structure', sp]);
      const vp = await browser.context.newPage();
      await vp.goto(`${server.url}/volunteer.html`);
      await vp.waitForSelector('#login:not([hidden]), body[data-ready="1"]');
      pages.push(['volunteer (sign-in)', vp]);
      for (const [name, page] of pages) {
        for (const v of await axeViolations(page)) problems.push(`${name}: ${v}`);
      }
      assert(problems.length === 0, `axe-core:\n${problems.join('\n')}`);
    }),
  },
];

export const tests = [
  {
    name: 'the regional dashboard\'s first load is at most a third of its uncompressed bytes',
    fn: async () => {
      const server = new Server();
      try {
        await server.start();
        const before = await firstLoadBytes(server, { identity: true });
        const after = await firstLoadBytes(server);
        console.log(`        first load uncompressed: ${describe(before)}`);
        console.log(`        first load compressed:   ${describe(after)}`);
        assert(after.bytes * 3 <= before.bytes, `${after.bytes} bytes: more than a third of ${before.bytes}`);
        // static files are validated by their content hash; the API is never kept
        const index = await fetch(`${server.url}/js/dashboard.js`, { headers: { 'Accept-Encoding': 'gzip' } });
        const etag = index.headers.get('etag');
        assert(/^"[0-9a-f]{16}"$/.test(etag || ''), `etag ${etag}`);
        assert(index.headers.get('cache-control') === 'no-cache', index.headers.get('cache-control'));
        assert(index.headers.get('content-encoding') === 'gzip', 'dashboard.js is not compressed');
        const again = await fetch(`${server.url}/js/dashboard.js`, { headers: { 'If-None-Match': etag } });
        assert(again.status === 304, `revalidation: ${again.status}`);
        const pinned = await fetch(`${server.url}/js/dashboard.js?v=${etag.slice(1, 17)}`);
        assert(/immutable/.test(pinned.headers.get('cache-control') || ''), 'a hashed URL is kept for good');
        const api = await fetch(`${server.url}/api/v1/alerts?limit=1000`, {
          headers: { Authorization: `Bearer ${server.token}`, 'Accept-Encoding': 'gzip' } });
        assert(api.headers.get('cache-control') === 'no-store', `API cache-control ${api.headers.get('cache-control')}`);
        await api.json();
      } finally {
        await server.stop().catch(() => {});
        await server.cleanup();
      }
    },
  },
  ...more,
];
