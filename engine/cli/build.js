// `npm run build` (also run by `npm install` and `npm ci`, as `prepare`): the CLI and the server as
// JavaScript in dist/, so that no command transpiles TypeScript when it starts.
//
// One esbuild bundle from engine/cli/main.ts, split at each command's lazy import: `engine help`
// loads main.js alone, a command loads its own chunk and the chunks it shares with others. The
// npm packages are bundled too (loading ajv, yaml or fastify as hundreds of CommonJS files cost
// more CPU than all of the engine's own work in `engine validate`); better-sqlite3 stays in
// node_modules, it loads a native addon. Everything reachable from main.ts is taken, whatever the
// folders are named: no file list to keep up to date.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(root, 'dist');

/**
 * Source files that run as threads of their own (new Worker): each is an entry point of the bundle
 * too, built to dist/<its name>.js.
 */
const THREAD_ENTRIES = ['engine/store/sqlite-thread-entry.ts'];

/**
 * A module that reads a file beside it (`new URL('./schema.sql', import.meta.url)`) must find it
 * from inside the bundle too: each source file's import.meta.url becomes its own place in the
 * source tree, worked out from the chunk's place (every chunk sits directly in dist/). A thread's
 * entry named the same way (`new URL('./x-entry.ts', import.meta.url)`) becomes the built entry
 * beside the chunk instead.
 */
const sourceImportMetaUrl = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromDist = `../${relative(root, args.path).split(sep).join('/')}`;
      const threads = text.replace(/new URL\((['"])(\.{1,2}\/[^'"]+\.ts)\1, import\.meta\.url\)/g, (whole, _quote, spec) => {
        const target = relative(root, join(dirname(args.path), spec)).split(sep).join('/');
        if (!THREAD_ENTRIES.includes(target)) return whole;
        return `new URL(${JSON.stringify(`./${basename(target, '.ts')}.js`)}, __chunk_import_meta_url__)`;
      });
      const contents = threads
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`)
        .replaceAll('__chunk_import_meta_url__', 'import.meta.url');
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * yaml's parser reads `process.env.LOG_TOKENS` for every token, and its composer `LOG_STREAM` for
 * every node (debugging switches). Each read is a getenv(), a scan of the whole environment: a
 * server whose environment holds the secrets of 1,000 flows (2,000 variables) spent more CPU in
 * those reads than in the rest of parsing its flow files. In the bundle each switch is read once,
 * when the module loads.
 */
const yamlEnvReadOnce = {
  name: 'yaml-env-read-once',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const switches = [...new Set(text.match(/node_process\.env\.LOG_[A-Z]+/g) ?? [])];
      if (switches.length === 0) return undefined;
      let contents = text;
      const reads = switches.map((read) => {
        const name = `__yaml_${read.slice('node_process.env.'.length)}`;
        contents = contents.replaceAll(read, name);
        return `var ${name} = require('node:process').env.${read.slice('node_process.env.'.length)};`;
      });
      return { contents: `${reads.join('\n')}\n${contents}`, loader: 'js' };
    });
  },
};

// Bundled CommonJS packages require() Node's built-ins; an ES module has no `require` of its own.
const banner = { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" };

/**
 * The validators a server would compile as it starts (ajv, ~0.15 s of CPU each), generated now as
 * ajv's standalone code (engine/cli/standalone-validators.ts): repository path of the module each
 * takes the place of → its code. The generator runs from a bundle of its own, deleted after.
 */
async function standaloneValidators() {
  const generator = join(OUT, 'standalone-validators.mjs');
  await build({
    absWorkingDir: root, entryPoints: ['engine/cli/standalone-validators.ts'], outfile: generator, bundle: true, packages: 'external',
    plugins: [sourceImportMetaUrl], format: 'esm', platform: 'node', target: 'node20', banner, logLevel: 'warning',
  });
  try {
    return (await import(pathToFileURL(generator).href)).standaloneValidators();
  } finally {
    rmSync(generator);
  }
}

/** Each module standaloneValidators() names is replaced by its generated code; the rest of the bundle imports it as before. */
function precompiledValidators(generated) {
  return {
    name: 'precompiled-validators',
    setup(b) {
      const paths = new Set(Object.keys(generated));
      b.onLoad({ filter: /[\\/]precompiled-[\w-]+\.ts$/ }, (args) => {
        const path = relative(root, args.path).split(sep).join('/');
        if (!paths.has(path)) throw new Error(`${path}: no validator code generated for it (engine/cli/standalone-validators.ts)`);
        paths.delete(path);
        return { contents: generated[path], loader: 'js', resolveDir: dirname(args.path) };
      });
      b.onEnd(() => {
        if (paths.size > 0) throw new Error(`validator code generated for modules the bundle does not hold: ${[...paths].join(', ')}`);
      });
    },
  };
}

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const generated = await standaloneValidators();
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'engine/cli/main.ts', ...Object.fromEntries(THREAD_ENTRIES.map((file) => [basename(file, '.ts'), file])) },
  outdir: OUT,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  external: ['better-sqlite3'],
  plugins: [sourceImportMetaUrl, yamlEnvReadOnce, precompiledValidators(generated)],
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner,
  metafile: true,
  logLevel: 'warning',
});
// What each output holds and imports: test/cli-conventions.test.ts checks from it that `engine help` loads no command.
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));
const files = Object.keys(result.metafile.outputs).length;
process.stderr.write(`dist/: ${files} files in ${Math.round(performance.now() - started)} ms\n`);
