// Browser tests' helpers: a real renfortd (demo region, test clock, temporary database, free port),
// Debian's Chromium driven by playwright-core, HTTP calls to the API, screenshots as artefacts.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RENFORTD = path.resolve(process.env.RENFORTD || path.join(here, '../../build/server/renfortd'));
export const BUILD_DIR = path.resolve(process.env.RENFORT_BUILD_DIR || path.join(path.dirname(RENFORTD), '..'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// npm works in the build tree, never in this folder: package.json and package-lock.json are copied to
// <build>/tests/browser, `npm ci` installs there (ctest's browser.npm_ci), screenshots go there too.
export const WORK_DIR = path.resolve(process.env.RENFORT_BROWSER_DIR || path.join(BUILD_DIR, 'tests', 'browser'));
export const ARTIFACTS = path.join(WORK_DIR, 'artifacts');
// playwright-core from WORK_DIR/node_modules (an import would look beside this file)
const { chromium } = createRequire(path.join(WORK_DIR, 'package.json'))('playwright-core');

export class AssertionError extends Error {}

export function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

export function assertEqual(actual, expected, message) {
  if (actual !== expected) throw new AssertionError(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- renfortd --------------------------------------------------------------------------------------

export class Server {
  // exercise: {scenario, speed}: `renfortd exercise` on a new database instead of the demo (it prints
  // the cell's dashboard link as the demo does)
  constructor({ demo = true, extra = [], exercise = null } = {}) {
    this.demo = demo && !exercise;
    this.exercise = exercise;
    this.extra = extra;
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renfort-browser-'));
    this.db = path.join(this.tmp, 'renfort.db');
    this.proc = null;
    this.port = null;
    this.token = null; // the demo's coordinator token
    this.stdout = '';
    this.stderr = '';
  }

  // Starts renfortd and waits for the dashboard link the demo prints (port and token).
  async start({ port = 0, timeoutMs = 60000 } = {}) {
    const args = ['--db', this.db, '--listen', `127.0.0.1:${port}`, '--set', 'test_clock=1', ...this.extra];
    if (this.demo) args.push('--demo');
    if (this.exercise) args.push('exercise', this.exercise.scenario, '--speed', String(this.exercise.speed));
    this.stdout = '';
    const proc = spawn(RENFORTD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let spawnError = null;
    proc.on('error', (e) => { spawnError = e; }); // not startable (missing, being rebuilt...): a failure, not a crash
    proc.stdout.on('data', (d) => { this.stdout += d; });
    proc.stderr.on('data', (d) => { this.stderr += d; });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(this.stdout);
      const l = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.stderr);
      if ((this.demo || this.exercise) && m) {
        this.port = Number(m[1]);
        this.token = m[2];
        return this;
      }
      if (!this.demo && l) {
        this.port = Number(l[1]);
        return this;
      }
      if (spawnError) {
        this.proc = null;
        throw new Error(`cannot start ${RENFORTD}: ${spawnError.message}`);
      }
      if (proc.exitCode !== null) throw new Error(`renfortd exited at start (${proc.exitCode}): ${this.stderr.slice(-2000)}`);
      await sleep(50);
    }
    throw new Error(`renfortd did not start in time: ${this.stderr.slice(-2000)}`);
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  // Stops with SIGTERM; renfortd must exit 0 within 20 s.
  async stop() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode !== null) throw new Error(`renfortd had exited (${proc.exitCode}): ${this.stderr.slice(-2000)}`);
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    proc.kill('SIGTERM');
    const res = await Promise.race([exited, sleep(20000).then(() => null)]);
    if (!res) {
      proc.kill('SIGKILL');
      await exited;
      throw new Error('renfortd did not stop within 20 s of SIGTERM');
    }
    if (res.code !== 0) throw new Error(`renfortd exited with ${res.code ?? res.signal}: ${this.stderr.slice(-2000)}`);
  }

  // Kills (if still running) and removes the temporary directory: for the end of a test.
  async cleanup() {
    if (this.proc) {
      const proc = this.proc;
      this.proc = null;
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  // A token made by `renfortd token create` on this server's database (the server may be running).
  makeToken(role, { subject, scope, label = 'browser test' } = {}) {
    const args = ['token', 'create', '--role', role, '--label', label, '--db', this.db, '--log-level', 'warn'];
    if (subject !== undefined) args.push('--subject', String(subject));
    if (scope) args.push('--scope', scope);
    const p = spawnSync(RENFORTD, args, { encoding: 'utf8', timeout: 60000 });
    if (p.status !== 0) throw new Error(`renfortd token create failed: ${p.stderr}`);
    return p.stdout.trim();
  }

  async http(method, apiPath, { token = this.token, body, key } = {}) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    const res = await fetch(`${this.url}/api/v1${apiPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let data = text;
    try { data = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, data };
  }

  async api(method, apiPath, opts) {
    const r = await this.http(method, apiPath, opts);
    if (r.status >= 300) throw new Error(`${method} ${apiPath}: ${r.status} ${JSON.stringify(r.data)}`);
    return r.data;
  }

  // A stock report for one structure: by the renfort command-line client when it is built,
  // by HTTP otherwise. Returns how it was sent.
  async report(holderId, items, key, token = this.token) {
    const cli = path.join(BUILD_DIR, 'clients/cli/renfort');
    if (fs.existsSync(cli)) {
      const args = ['--url', this.url, '--token', token, 'report',
        ...Object.entries(items).map(([k, v]) => `${k}=${v}`), '--holder', `structure:${holderId}`, '--key', key];
      const p = spawnSync(cli, args, { encoding: 'utf8', timeout: 30000 });
      if (p.status !== 0) throw new Error(`renfort report failed (${p.status}): ${p.stderr}${p.stdout}`);
      return 'cli';
    }
    await this.api('POST', '/stock/reports', {
      token,
      key,
      body: { holder_kind: 'structure', holder_id: holderId, items: Object.entries(items).map(([item, quantity]) => ({ item, quantity })) },
    });
    return 'http';
  }

  // A few reports so that the region has alerts and known burn rates (the demo's seeded stock has
  // neither: its levels are adjustments without history).
  async seedShortages(ids) {
    let n = 0;
    for (const id of ids) {
      n++;
      await this.api('POST', '/stock/reports', {
        key: `seed-${id}`,
        body: {
          holder_kind: 'structure', holder_id: id,
          items: [
            { item: 'respirator', quantity: (n % 4) * 25 },
            { item: 'gloves-examination', quantity: 400 + n * 150 },
            { item: 'gown-protective', quantity: 2000 },
          ],
          confirmed: true, // far below the demo's levels on purpose: the shortages are the point
        },
      });
    }
  }

  // n nursing homes (of dep) without any active alert: the demo region starts with shortages, and
  // a test that opens one wants a structure of its own.
  async ehpads(n, dep) {
    const q = dep ? `&dep=${dep}` : '';
    const res = await this.api('GET', `/structures?category=ehpad&limit=200${q}`);
    const quiet = [];
    for (const s of res.items) {
      const a = await this.api('GET', `/alerts?status=active&holder_kind=structure&holder_id=${s.id}&limit=1`);
      if (a.total === 0) quiet.push(s);
      if (quiet.length === n) return quiet;
    }
    throw new Error(`fewer than ${n} nursing homes without alerts${dep ? ' in ' + dep : ''}`);
  }

  // Every active alert (all pages).
  async activeAlerts() {
    const items = [];
    let after = 0;
    for (;;) {
      const page = await this.api('GET', `/alerts?status=active&limit=1000&after=${after}`);
      items.push(...page.items);
      if (!page.next) return items;
      after = page.next;
    }
  }
}

// --- Chromium --------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// One Chromium with a fresh profile (--user-data-dir, through playwright's persistent context);
// two of them are two independent browsers.
export async function launchBrowser({ width = 1366, height = 900 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renfort-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  const problems = [];
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    async page() {
      const existing = context.pages().find((p) => p.url() === 'about:blank');
      return existing || context.newPage();
    },
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

// Opens the dashboard with the token in the link, as the demo prints it, and waits for its data.
export async function openDashboard(browser, server, token = server.token) {
  const page = await browser.page();
  await page.goto(`${server.url}/?token=${encodeURIComponent(token)}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  return page;
}

// Runs fn({server, browser}) with a fresh renfortd (demo region) and a fresh Chromium, and stops
// both whatever happens; renfortd must then stop cleanly, and the pages must have logged no error.
export async function withDemo(fn, { browsers = 1, extra = [], allowProblems = [] } = {}) {
  const server = new Server({ extra });
  const opened = [];
  try {
    await server.start();
    for (let i = 0; i < browsers; i++) opened.push(await launchBrowser());
    await fn({ server, browser: opened[0], browsers: opened });
    const problems = opened.flatMap((b) => b.problems).filter((p) => !allowProblems.some((re) => re.test(p)));
    assert(problems.length === 0, `the pages logged errors:\n${problems.join('\n')}`);
  } finally {
    for (const b of opened) await b.close().catch(() => {});
    try {
      await server.stop();
    } finally {
      await server.cleanup();
    }
  }
}
