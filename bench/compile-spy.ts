/**
 * Counts every JSONata compilation (`jsonata(source)`) and every ajv schema compilation in this
 * process. Preload it (`node --import tsx --import ./bench/compile-spy.ts …`) so it is in place
 * before any module imports jsonata or ajv: a resolve hook hands every importer of `jsonata` a
 * counting wrapper, and ajv's `compile` is wrapped on the prototype every Ajv class shares.
 */
import { createRequire, register } from 'node:module';

export interface CompileCounts {
  jsonata: number;
  ajv: number;
}

const counts: CompileCounts = { jsonata: 0, ajv: 0 };
(globalThis as { __benchCompiles?: CompileCounts }).__benchCompiles = counts;

register('./jsonata-hook.ts', import.meta.url);

const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: { prototype: object } };
const core = Object.getPrototypeOf(Ajv2020.prototype) as { compile: (...args: unknown[]) => unknown };
const compile = core.compile;
core.compile = function (this: unknown, ...args: unknown[]) {
  counts.ajv++;
  return compile.apply(this, args);
};
