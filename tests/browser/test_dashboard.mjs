// The coordinator dashboard loads the demo region: map, alert feed, stocks, pool, SMS, charts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDemo, openDashboard, screenshot, assert, assertEqual, Server, launchBrowser, sleep } from './lib.mjs';

const ARS = new URL('../../schema/data/ars-occitanie-daily.csv', import.meta.url);

export const tests = [
  {
    name: 'the dashboard loads with the demo region (map, alert feed, cover table)',
    fn: () => withDemo(async ({ server, browser }) => {
      const ehpads = await server.ehpads(12);
      await server.seedShortages(ehpads.map((s) => s.id));
      const active = { items: await server.activeAlerts() };
      active.total = active.items.length;
      assert(active.total > 0, 'the demo region and the seeded reports have alerts');
      const structures = await server.api('GET', '/structures?limit=1');
      // the ARS's daily hospital figures, loaded as a coordinator would (epidemic.import)
      const loaded = await fetch(`${server.url}/api/v1/epidemic/import`, {
        method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'text/csv' },
        body: fs.readFileSync(ARS, 'utf8'),
      });
      assertEqual(loaded.status, 201, 'the ARS figures load');

      const page = await openDashboard(browser, server);
      assertEqual(await page.locator('#exercise-banner').count(), 0, 'no exercise banner on an ordinary server');
      // the token left the address bar for the session storage
      assertEqual(new URL(page.url()).search, '', 'the token is removed from the address');
      assertEqual(await page.evaluate(() => sessionStorage.getItem('renfort.token.dashboard')), server.token, 'token kept for the session');

      // the map: 13 départements, a dot per structure, the alerted ones coloured
      await page.waitForFunction(() => document.querySelectorAll('#map path.dep').length === 13, null, { timeout: 10000 });
      const dots = await page.locator('#map circle.dot').count();
      assertEqual(dots, structures.total, 'one dot per structure');
      const hot = await page.locator('#map circle.dot:not(.sev-none)').count();
      const holders = new Set(active.items.filter((a) => a.holder_kind === 'structure').map((a) => a.holder_id));
      assertEqual(hot, holders.size, 'coloured dots = structures with an active alert');
      const depots = await server.api('GET', '/depots?limit=1');
      assertEqual(await page.locator('#map rect.depot').count(), depots.total, 'the shared stocks (depots) are drawn');

      // the alert feed: one row per structure, worst first, 40 structures at a time (test_cell: every
      // alert reachable), and a count of all
      const holdersAlerted = new Set(active.items.map((a) => `${a.holder_kind}:${a.holder_id}:${a.holder_kind === 'none' ? a.id : ''}`));
      assertEqual(await page.locator('#alerts li.holder-group').count(), Math.min(holdersAlerted.size, 40), 'structures in the feed');
      assert((await page.textContent('#alerts-count')).replace(/\D/g, '') === String(active.total), 'the feed counts every alert');
      const worst = active.items.find((a) => a.severity === 'stockout' && a.status === 'open');
      assert(worst, 'the seeded reports opened a stock-out');
      assert(await page.locator(`#alerts li[data-id="${worst.id}"]`).count() === 1, 'a stock-out is in the feed');

      // the cover table: 13 départements and the region, filled
      const rows = await page.locator('#cover tbody tr').count();
      assertEqual(rows, 14, 'cover rows (13 départements + the region)');
      const cells = await page.locator('#cover tbody td button.cell').count();
      assert(cells >= 13 * 8, `cover cells filled (${cells})`);
      // next to the cover, each département's latest hospital figures (31 March 2020) and the region's sum
      assertEqual((await page.textContent('#cover td.epidemic[data-dep="34"]')).trim(), '241 (70)', 'the Hérault: hospitalised (ICU)');
      const figures = fs.readFileSync(ARS, 'utf8').split('\n').filter((l) => l.startsWith('2020-03-31,')).map((l) => l.split(','));
      const sum = (col) => figures.reduce((n, f) => n + Number(f[col] || 0), 0);
      const region = (await page.textContent('#cover td.epidemic[data-dep="region"]')).replace(/[\s\u202f\u00a0]/g, '');
      assertEqual(region, `${sum(3)}(${sum(4)})`, 'the region: the sum of the départements');
      assert(await page.locator('#levels tbody tr[data-item]').count() > 0, 'levels by structure listed');

      // pool, SMS, charts
      assert(await page.locator('#pool-chart svg rect').count() > 5, 'volunteer pool chart drawn');
      assert(await page.locator('#sms-counts .chip').count() > 0, 'SMS outbox counted (critical alerts queue SMS)');
      assert(await page.locator('#chart-alerts svg rect').count() > 0, 'alert history chart has bars (from the audit log)');
      assert(await page.locator('#sec-alloc').count() === 1 && await page.locator('#sec-deploy').count() === 1,
             'the allocation and staff request sections are there');
      assert(!(await page.textContent('main')).includes('Pas encore disponible'), 'no placeholder is left on the dashboard');

      const shot = await screenshot(page, 'dashboard', { fullPage: false });
      await screenshot(page, 'dashboard-full', { fullPage: true });

      // clicking a structure opens its detail: levels, alerts, contacts
      await page.locator(`#alerts li.holder-group:has(li[data-id="${worst.id}"]) .group-head button.holder`).click();
      await page.waitForSelector('#detail:not([hidden]) #detail-levels tbody tr');
      assertEqual((await page.textContent('#detail-h')).trim(), worst.holder_name, 'detail of the structure');
      assert(await page.locator(`#detail-alerts li[data-id="${worst.id}"]`).count() === 1, 'its alert in the detail');
      assert(await page.locator('#detail ul.contacts li').count() >= 1, 'its contacts in the detail');
      await screenshot(page, 'dashboard-detail');
      await page.click('#detail-close');

      // a département on the map zooms and filters the feed
      await page.evaluate(() => document.querySelector('#map path.dep[data-dep="34"]').dispatchEvent(new MouseEvent('click', { bubbles: true })));
      await page.waitForFunction(() => document.querySelector('#alerts-dep').value === '34');
      const in34 = active.items.filter((a) => a.dep === '34');
      await page.waitForFunction((n) => document.querySelector('#alerts-count').textContent.replace(/\D/g, '') === String(n), in34.length);
      const shown = await page.locator('#alerts .group-head .dep').allTextContents();
      assert(shown.length > 0 && shown.every((d) => d === '34'), `feed filtered on the Hérault: ${shown.join(',')}`);
      console.log(`        screenshot: ${shot}`);
    }),
  },
  {
    name: 'French by default, English on the switch (and back)',
    fn: () => withDemo(async ({ server, browser }) => {
      const page = await openDashboard(browser, server);
      assertEqual(await page.getAttribute('html', 'lang'), 'fr', 'French first');
      assertEqual((await page.textContent('#map-h')).trim(), 'Structures et pénuries', 'French title');
      await page.click('button[data-lang="en"]');
      assertEqual((await page.textContent('#map-h')).trim(), 'Structures and shortages', 'English title');
      assert((await page.textContent('#kpis')).includes('Stock-out'), 'KPIs in English');
      assertEqual((await page.textContent('#conn')).trim(), 'Live', 'connection state in English');
      assertEqual(await page.getAttribute('html', 'lang'), 'en', 'lang attribute follows');
      await screenshot(page, 'dashboard-en');
      await page.reload();
      await page.waitForSelector('body[data-ready="1"]');
      assertEqual((await page.textContent('#map-h')).trim(), 'Structures and shortages', 'the choice is remembered');
      await page.click('button[data-lang="fr"]');
      assertEqual((await page.textContent('#map-h')).trim(), 'Structures et pénuries', 'back to French');
    }),
  },
  {
    name: 'without a token the page asks for one; a wrong one is refused',
    fn: () => withDemo(async ({ server, browser }) => {
      const page = await browser.page();
      await page.goto(`${server.url}/`);
      await page.waitForSelector('#login:not([hidden])');
      assert(await page.locator('#app').isHidden(), 'nothing shown before signing in');
      await page.fill('#login-token', 'rf_not_a_token');
      await page.click('#login-form button[type="submit"]');
      await page.waitForFunction(() => document.querySelector('#login-message').textContent.length > 0);
      assert((await page.textContent('#login-message')).includes('pas reconnu'), 'a refused token is said so');
      await page.fill('#login-token', server.token);
      await page.click('#login-form button[type="submit"]');
      await page.waitForSelector('body[data-ready="1"]');
      await page.waitForSelector('#conn[data-state="live"]');
      await screenshot(page, 'login-then-dashboard');
    }, { allowProblems: [/401/] }),
  },
  {
    name: 'an exercise (renfortd exercise) shows its banner on the dashboard and on a structure\'s page',
    fn: async () => {
      // the forecast benchmark's small cluster scenario at a day every 40 s: the banner is there from the
      // start, and the driver leaves the server free for the pages (played flat out, its clock steps
      // kept a sanitized renfortd busy for the dashboard's 20 s on a loaded machine)
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renfort-exercise-'));
      const gen = spawnSync('python3', [new URL('../bench/forecast/generate.py', import.meta.url).pathname, '--small', '--out', tmp],
        { encoding: 'utf8' });
      assertEqual(gen.status, 0, `generate.py: ${gen.stderr}`);
      const server = new Server({ exercise: { scenario: path.join(tmp, 'cluster-small.json'), speed: 2000 } });
      let browser = null;
      try {
        await server.start();
        browser = await launchBrowser();
        const page = await openDashboard(browser, server);
        await page.waitForSelector('#exercise-banner', { timeout: 10000 });
        assert(await page.locator('#exercise-banner').isVisible(), 'the banner is visible');
        assertEqual((await page.textContent('#exercise-banner strong')).trim(), 'Exercice', 'the banner says Exercice');
        await screenshot(page, 'exercise-dashboard');
        // a structure of the scenario, once the driver made it, sees the banner on its page too
        const deadline = Date.now() + 20000;
        while (!/structures ready/.test(server.stderr)) {
          assert(Date.now() < deadline, `the driver did not start: ${server.stderr.slice(-2000)}`);
          await sleep(100);
        }
        const spage = await browser.page();
        await spage.goto(`${server.url}/structure.html?token=${encodeURIComponent(server.makeToken('structure', { subject: 1 }))}`);
        await spage.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
        assert(await spage.locator('#exercise-banner').isVisible(), 'the structure page shows the banner');
        await spage.click('button[data-lang="en"]');
        assertEqual((await spage.textContent('#exercise-banner strong')).trim(), 'Exercise', 'translated with the page');
        const problems = browser.problems;
        assert(problems.length === 0, `the pages logged errors:\n${problems.join('\n')}`);
      } finally {
        if (browser) await browser.close().catch(() => {});
        try {
          await server.stop();
        } finally {
          await server.cleanup();
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
    },
  },
];
