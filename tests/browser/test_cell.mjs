// Issue 15, the coordination cell at work: what its night on the dashboard needs, as a person
// checks it in Chromium. First: the regional dashboard's first load, in bytes on the wire
// (Chromium's own count of what each response took on the network, headers included).
import { assert, launchBrowser, Server } from './lib.mjs';

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
];
