// The /_fake/ helpers and the fake's options are documented where a user looks: `engine help
// fake-mailerlite`. Every registered helper route and every option must appear there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { command } from '../engine/cli/commands/fake-mailerlite.ts';
import { defaultFakeOptions, registerAdminRoutes, type FakeState } from '../adapters/mailerlite/index.ts';

test('engine help fake-mailerlite lists every /_fake/ route and every option', () => {
  const routes: string[] = [];
  const record = (method: string) => (url: string) => void routes.push(`${method} ${url.replace(/:token/g, '<token>')}`);
  const app = { get: record('GET'), put: record('PUT'), post: record('POST'), delete: record('DELETE'), patch: record('PATCH') };
  registerAdminRoutes(app as unknown as FastifyInstance, {} as FakeState);
  assert.ok(routes.length >= 10);
  const usage = command.usage.replace(/ +/g, ' ');
  for (const route of routes) assert.ok(usage.includes(route), `not documented: ${route}`);
  for (const option of Object.keys(defaultFakeOptions)) assert.ok(usage.includes(option), `option not documented: ${option}`);
});
