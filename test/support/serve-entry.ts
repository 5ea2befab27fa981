/**
 * A server process for crash tests: the real startServer on a SQLite file, with every flow
 * pointed at a MailerLite fake running in the test process. Prints one JSON line
 * `{"url": …}` on stdout once it listens; logs go to stderr.
 *
 *   node --import tsx test/support/serve-entry.ts --flows DIR --db FILE --fake URL [--admin-token T]
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../engine/log/logger.ts';
import { startServer } from '../../engine/server/server.ts';
import '../../adapters/index.ts';

const { values } = parseArgs({
  options: {
    flows: { type: 'string' },
    db: { type: 'string' },
    fake: { type: 'string' },
    'admin-token': { type: 'string' },
  },
});
if (!values.flows || !values.db || !values.fake) throw new Error('serve-entry needs --flows, --db and --fake');
const fake = values.fake;

const server = await startServer({
  flows: [values.flows],
  db: values.db,
  port: 0,
  log: createLogger({ destination: process.stderr, level: 'warn' }),
  env: process.env,
  adminToken: values['admin-token'],
  override: (flow) => ({ ...flow, destination: { mailerlite: { ...flow.destination.mailerlite, base_url: fake } } }),
  worker: { idleMs: 20, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } },
});
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
