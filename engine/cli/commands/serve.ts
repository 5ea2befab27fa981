// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { parseArgs } from 'node:util';
import { createLogger } from '../../log/logger.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { describeStore, isStoreOpenError, storeLocation, StoreLocationError, type StoreLocation } from '../../store/open-store.ts';
import { parseTrustedProxies, TrustedProxiesError } from '../../server/trusted-proxies.ts';
import { UsageError, type Command } from '../command.ts';

const usage = `Usage: engine serve [--flows DIR] [--port N] [--host H] [--db FILE | --store URL] [--lease-seconds N]
                    [--retention-days N] [--trust-proxy LIST] [--no-watch]

Hosts every flow in DIR at POST /hooks/<flow> (and /hooks/<flow>/<token>), with /healthz,
/readyz, /metrics and, when ENGINE_ADMIN_TOKEN is set, the admin API under /admin.
Flow files reload on change and on SIGHUP; SIGTERM/SIGINT stop gracefully.

  --flows DIR           flow files (default: flows)
  --port N              port (default: 8080, or $PORT)
  --host H              address to bind (default: 127.0.0.1)
  --db FILE             SQLite store (default: engine.sqlite)
  --store URL           PostgreSQL store, postgres://user:password@host:port/database (default:
                        $DATABASE_URL when set). Several instances may share one database: each
                        MailerLite account is drained by one of them at a time.
  --lease-seconds N     PostgreSQL: an instance that stops renewing its accounts loses them after
                        N seconds, and another instance takes them over (default: 15)
  --retention-days N    purge processed raw records after N days (default: 30)
  --trust-proxy LIST    reverse proxies whose X-Forwarded-For to believe: addresses, CIDR ranges
                        or loopback/linklocal/uniquelocal, comma-separated (default: none, or
                        $ENGINE_TRUST_PROXY). Client addresses then key the wrong-token throttle
                        and the audit log, and the console's cookie is Secure over the proxy's TLS.
  --no-watch            do not reload when flow files change`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        flows: { type: 'string', default: 'flows' },
        port: { type: 'string', default: process.env.PORT ?? '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        db: { type: 'string' },
        store: { type: 'string' },
        'lease-seconds': { type: 'string', default: '15' },
        'retention-days': { type: 'string', default: '30' },
        'trust-proxy': { type: 'string', default: process.env.ENGINE_TRUST_PROXY ?? '' },
        'no-watch': { type: 'boolean', default: false },
      },
    });
    let store: StoreLocation;
    try {
      store = storeLocation({ store: values.store, db: values.db });
    } catch (err) {
      if (err instanceof StoreLocationError) throw new UsageError(err.message);
      throw err;
    }
    const leaseSeconds = Number(values['lease-seconds']);
    if (!(leaseSeconds > 0)) throw new UsageError(`--lease-seconds must be a positive number of seconds, not ${JSON.stringify(values['lease-seconds'])}`);
    let trustProxy: string[];
    try {
      trustProxy = parseTrustedProxies(values['trust-proxy']);
    } catch (err) {
      if (err instanceof TrustedProxiesError) throw new UsageError(err.message);
      throw err;
    }
    const log = createLogger();
    // Listened for before the server starts: a SIGTERM that comes once it answers but before it
    // has finished starting (the flow watcher) still stops it gracefully, after the start.
    const stopping = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    let server: RunningServer;
    try {
      server = await startServer({
        flows: [values.flows],
        store,
        leaseMs: Math.round(leaseSeconds * 1000),
        port: Number(values.port),
        host: values.host,
        log,
        adminToken: process.env.ENGINE_ADMIN_TOKEN,
        retentionDays: Number(values['retention-days']),
        watch: !values['no-watch'],
        trustProxy,
      });
    } catch (err) {
      // A store that cannot be opened (unreachable, or written by a newer engine) is the
      // operator's to fix: one clear line, not a stack.
      if (!isStoreOpenError(err)) throw err;
      process.stderr.write(`engine serve: cannot open the store ${describeStore(store)}: ${(err as Error).message}\n`);
      log.flush();
      return 1;
    }
    process.on('SIGHUP', () => server.reload());
    await stopping;
    await server.close();
    log.flush();
    return 0;
  },
};
