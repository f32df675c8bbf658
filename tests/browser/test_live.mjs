// The dashboard is live: a stock report makes its alert appear without reload, an acknowledgement
// made on one screen shows on another, and a restart of renfortd is survived.
import { withDemo, openDashboard, screenshot, assert, assertEqual } from './lib.mjs';

export const tests = [
  {
    name: 'a stock report sent by the CLI shows its alert on the open dashboard within one second, without reload',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '81');
      const page = await openDashboard(browser, server);
      await page.evaluate(() => { window.__noReload = 'still the same page'; });
      // the alert's id is not known before it exists: note when an alert the feed did not show enters it
      await page.waitForFunction(() => document.querySelectorAll('#alerts li.alert').length > 0, null, { timeout: 10000 });
      await page.evaluate(() => {
        window.__alertSeen = null;
        const known = new Set([...document.querySelectorAll('#alerts li.alert')].map((li) => li.dataset.id));
        const check = () => {
          if (window.__alertSeen) return;
          for (const li of document.querySelectorAll('#alerts li.alert'))
            if (!known.has(li.dataset.id)) window.__alertSeen = Date.now();
        };
        new MutationObserver(check).observe(document.querySelector('#alerts'), { childList: true, subtree: true });
      });
      const t0 = Date.now();
      const how = await server.report(s.id, { respirator: 0 }, `browser-live-${s.id}`);
      const sent = Date.now();
      await page.waitForFunction(() => window.__alertSeen, null, { timeout: 5000 });
      const seen = await page.evaluate(() => window.__alertSeen);
      const lag = seen - sent;
      console.log(`        report by ${how} in ${sent - t0} ms; alert on screen ${lag} ms after the report was acknowledged`);
      assert(lag <= 1000, `the alert must show within one second (took ${lag} ms)`);
      const alerts = await server.api('GET', `/alerts?holder_kind=structure&holder_id=${s.id}`);
      assertEqual(alerts.total, 1, 'one alert on the server');
      const a = alerts.items[0];
      await page.waitForSelector(`#alerts li[data-id="${a.id}"].sev-stockout`);
      // the feed groups alerts by structure: its row names it (test_cell)
      assert((await page.textContent(`#alerts li.holder-group:has(li[data-id="${a.id}"]) .group-head`)).includes(s.name),
        'the feed names the structure');
      await page.waitForSelector(`#map circle.dot[data-id="${s.id}"].sev-stockout`, { timeout: 2000 });
      assertEqual(await page.evaluate(() => window.__noReload), 'still the same page', 'no reload happened');
      await screenshot(page, 'live-alert');
    }),
  },
  {
    name: 'acknowledging from one dashboard updates a second open dashboard; resolving removes it from both',
    fn: () => withDemo(async ({ server, browsers }) => {
      const [s] = await server.ehpads(1, '31');
      await server.report(s.id, { respirator: 0 }, `browser-ack-${s.id}`);
      const { items: [a] } = await server.api('GET', `/alerts?holder_kind=structure&holder_id=${s.id}`);
      const pageA = await openDashboard(browsers[0], server);
      const pageB = await openDashboard(browsers[1], server);
      // the demo region has many open alerts: both screens show the stock-outs only, as a cell would
      for (const p of [pageA, pageB]) await p.selectOption('#alerts-sev', 'stockout');
      const item = `#alerts li[data-id="${a.id}"]`;
      await pageA.waitForSelector(`${item}[data-status="open"]`);
      await pageB.waitForSelector(`${item}[data-status="open"]`);

      await pageA.click(`${item} button.ack`);
      await pageA.waitForSelector('#alert-dialog[open]');
      await pageA.fill('#alert-note', 'Livraison du socle départemental ce soir');
      await pageA.click('#alert-confirm');
      await pageA.waitForSelector(`${item}[data-status="acknowledged"]`, { timeout: 3000 });
      const t0 = Date.now();
      await pageB.waitForSelector(`${item}[data-status="acknowledged"]`, { timeout: 3000 });
      console.log(`        second dashboard updated ${Date.now() - t0} ms after the first showed it`);
      assert((await pageB.textContent(item)).includes('Livraison du socle départemental ce soir'), 'the note shows on the second dashboard');
      const onServer = await server.api('GET', `/alerts/${a.id}`);
      assertEqual(onServer.status, 'acknowledged', 'acknowledged on the server');
      assertEqual(onServer.ack_note, 'Livraison du socle départemental ce soir', 'with its note');
      await screenshot(pageB, 'acknowledged-second-dashboard');

      await pageB.click(`${item} button.resolve`);
      await pageB.waitForSelector('#alert-dialog[open]');
      await pageB.click('#alert-confirm');
      await pageB.waitForSelector(item, { state: 'detached', timeout: 3000 });
      await pageA.waitForSelector(item, { state: 'detached', timeout: 3000 });
      assertEqual((await server.api('GET', `/alerts/${a.id}`)).status, 'resolved', 'resolved on the server');
      await pageA.waitForSelector(`#map circle.dot[data-id="${s.id}"].sev-none`);
    }, { browsers: 2 }),
  },
  {
    name: 'a cut websocket resumes with "since": what happened meanwhile is replayed, without reloading',
    fn: () => withDemo(async ({ server, browser }) => {
      const [s] = await server.ehpads(1, '30');
      const page = await openDashboard(browser, server);
      const loads = await page.evaluate(() => window.renfort.state.loads);
      // cut the connection; the browser drops whatever still arrives on it
      await page.evaluate(() => window.renfort.live.ws.close());
      await server.report(s.id, { respirator: 0 }, `browser-resume-${s.id}`);
      await page.waitForSelector(`#map circle.dot[data-id="${s.id}"].sev-stockout`, { timeout: 5000 });
      await page.waitForSelector('#conn[data-state="live"]');
      const after = await page.evaluate(() => ({ loads: window.renfort.state.loads, syncs: window.renfort.state.syncs }));
      assert(after.syncs.resumed >= 1, `resumed with since (${JSON.stringify(after.syncs)})`);
      assertEqual(after.loads, loads, 'no reload: the missed events were replayed');
      const { items: [a] } = await server.api('GET', `/alerts?status=active&holder_kind=structure&holder_id=${s.id}`);
      assert(a && (await page.locator(`#alerts li[data-id="${a.id}"]`).count()) === 1, 'the alert is in the feed');
    }),
  },
  {
    name: 'after renfortd restarts, the dashboard reconnects by itself and is live again',
    fn: () => withDemo(async ({ server, browser }) => {
      const page = await openDashboard(browser, server);
      const port = server.port;
      await server.stop();
      await page.waitForSelector('#conn:not([data-state="live"])', { timeout: 5000 });
      const shown = await page.getAttribute('#conn', 'data-state');
      assert(['reconnecting', 'offline', 'connecting'].includes(shown), `connection state shown (${shown})`);
      await screenshot(page, 'reconnecting');
      await server.start({ port });
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 15000 });
      const [s] = await server.ehpads(1, '66');
      await server.report(s.id, { respirator: 0 }, `browser-restart-${s.id}`);
      await page.waitForSelector(`#map circle.dot[data-id="${s.id}"].sev-stockout`, { timeout: 3000 });
      assert(await page.locator('#alerts li.alert').count() >= 1, 'the new alert is in the feed');
    }, { allowProblems: [/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/] }),
  },
];
