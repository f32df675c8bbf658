// The browser tests' runner: imports every test_*.mjs of this folder (each exports `tests`, a list
// of {name, fn}), runs them one after the other with a time limit, and prints one line per test and
// "N passed, N failed" at the end. Exit status 0 when all pass, 1 otherwise: a missing browser or
// playwright-core is a failure, never a silent skip (tests/run.sh installs both).
//
//   ctest --test-dir build -R browser            (npm ci into build/tests/browser, then this)
//   RENFORTD=../../build/server/renfortd node run.mjs [name-filter]     (once npm ci has run)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const TIME_LIMIT_MS = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 90000);
const filter = process.argv[2] || '';

async function main() {
  let lib;
  try {
    lib = await import('./lib.mjs');
  } catch (e) {
    console.log(`cannot load playwright-core (${e.message}): \`ctest -R browser\` installs it into the build tree: failed`);
    return 1;
  }
  const { ARTIFACTS, CHROMIUM, RENFORTD } = lib;
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`no Chromium at ${CHROMIUM} (apt-get install chromium): failed`);
    return 1;
  }
  if (!fs.existsSync(RENFORTD)) {
    console.log(`no renfortd at ${RENFORTD} (set RENFORTD): failed`);
    return 1;
  }
  const files = fs.readdirSync(here).filter((f) => /^test_.*\.mjs$/.test(f)).sort();
  const results = [];
  const t0 = Date.now();
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(here, f)).href);
    for (const test of mod.tests) {
      const name = `${f.replace(/\.mjs$/, '')}: ${test.name}`;
      if (filter && !name.includes(filter)) continue;
      const start = Date.now();
      // a test may need longer than the rest (its own `timeout`): still bounded
      const limit = Math.max(TIME_LIMIT_MS, test.timeout || 0);
      let timer;
      try {
        await Promise.race([
          test.fn(),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit); }),
        ]);
        results.push({ name, ok: true });
        console.log(`ok      ${name} (${Date.now() - start} ms)`);
      } catch (e) {
        results.push({ name, ok: false });
        console.log(`FAILED  ${name} (${Date.now() - start} ms)\n        ${String(e && e.stack ? e.stack : e).split('\n').join('\n        ')}`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`browser tests: ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed || !results.length ? 1 : 0;
}

// an error outside any test (a child process, a browser) must not end the run without its summary
process.on('uncaughtException', (e) => console.log(`uncaught: ${e && e.stack ? e.stack : e}`));

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
