import { parseArgs } from 'node:util';
import { adminCall, adminTarget } from '../admin-client.ts';
import { UsageError, type Command } from '../command.ts';

const usage = `Usage: engine replay --flow F --dead [--url URL] [--token T]
       engine replay --record ID [--url URL] [--token T]

Sends records through their flow again, on a running server's admin API: every dead letter of
flow F, or one record by id. Prints how many records were put back in the queue.

  --flow F      the flow whose dead letters to replay (with --dead)
  --dead        replay every dead letter of the flow
  --record ID   replay this record (any finished record)
  --url URL     the server (default: $ENGINE_URL, else http://127.0.0.1:$PORT or :8080)
  --token T     admin bearer token (default: $ENGINE_ADMIN_TOKEN)`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        flow: { type: 'string' }, dead: { type: 'boolean', default: false }, record: { type: 'string' },
        url: { type: 'string' }, token: { type: 'string' },
      },
    });
    let path: string;
    if (values.record !== undefined) {
      if (values.dead || values.flow !== undefined) throw new UsageError('--record cannot be combined with --flow or --dead');
      if (!/^[1-9]\d*$/.test(values.record)) throw new UsageError(`--record takes a record id (a positive integer), not '${values.record}'`);
      path = `/records/${values.record}/replay`;
    } else if (values.flow !== undefined && values.dead) {
      path = `/flows/${encodeURIComponent(values.flow)}/replay-dead`;
    } else {
      throw new UsageError('give --flow F --dead, or --record ID');
    }
    const target = adminTarget(values);
    try {
      const { replayed } = (await adminCall(target, 'POST', path)) as { replayed: number };
      process.stdout.write(`replayed ${replayed} record${replayed === 1 ? '' : 's'}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`engine replay: ${target.url}: ${(err as Error).message}\n`);
      return 1;
    }
  },
};
