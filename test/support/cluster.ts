/**
 * `engine serve` instances on one PostgreSQL store, as operators run them: the built CLI
 * (dist/, `npm run build`), each in its own process, killed and restarted by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.ts';

export interface Instance {
  proc: ChildProcess;
  url: string;
  /** Last lines of its stderr and non-JSON stdout, for a failure message. */
  output: string[];
}

export interface InstanceOptions {
  flows: string;
  store: string;
  leaseSeconds: number;
  env: Record<string, string>;
}


/** Starts one instance on a free port; resolves once it answers /healthz. Logs at warn and above are kept. */
export async function startInstance(opts: InstanceOptions): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    process.execPath,
    ['engine/cli/bin.js', 'serve', '--flows', opts.flows, '--store', opts.store, '--port', String(port), '--lease-seconds', String(opts.leaseSeconds), '--no-watch'],
    { env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const keep = (line: string): void => {
    output.push(line);
    if (output.length > 40) output.shift();
  };
  proc.stderr!.on('data', (d) => keep(String(d)));
  createInterface({ input: proc.stdout! }).on('line', keep);
  let exited: string | null = null;
  proc.once('exit', (code, signal) => void (exited = String(code ?? signal)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`instance exited (${exited}) before listening:\n${output.join('\n')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { proc, url, output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`instance did not start within 30 s:\n${output.join('\n')}`);
}

export function stopped(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}
