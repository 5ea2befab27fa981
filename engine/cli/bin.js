#!/usr/bin/env node
// The published entry point: runs the CLI from dist/, the JavaScript `npm run build` makes (npm
// install and npm ci run it too), so no command pays for transpiling TypeScript.
const entry = new URL('../../dist/main.js', import.meta.url);
let main;
try {
  ({ main } = await import(entry.href));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || err.url !== entry.href) throw err;
  process.stderr.write('engine: the CLI is not built yet; run `npm run build` (npm install does it)\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
