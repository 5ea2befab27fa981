/**
 * Sample deliveries (fixtures/*.json: each file is one delivery body, an array of records, all
 * people fictional) for tests, the demo and flow tests.
 */
import { readFileSync, readdirSync } from 'node:fs';

const DIR = new URL('./fixtures/', import.meta.url);

/** Names of the fixture files, without ".json". */
export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The delivery body exactly as stored (the bytes a signature covers). */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`${name}.json`, DIR));
}

/** The records of one fixture delivery. */
export function fixtureRecords(name: string): Record<string, unknown>[] {
  return JSON.parse(fixtureBytes(name).toString('utf8')) as Record<string, unknown>[];
}
