/** Runs the built CLI (`engine/cli/bin.js`) as a child process, the way users and CI run it. */
import { execFile } from 'node:child_process';

export interface EngineRun {
  /** The exit code (1 when the process ended without one). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface EngineEnv {
  /** Variables added to this process's environment. */
  add?: Record<string, string>;
  /** Exactly these variables (PATH aside): nothing leaks in from the caller's shell. */
  only?: Record<string, string>;
}

export function runEngine(args: readonly string[], env: EngineEnv = {}): Promise<EngineRun> {
  const vars = env.only ? { PATH: process.env.PATH ?? '', ...env.only } : { ...process.env, ...env.add };
  return new Promise((resolve) => {
    execFile(process.execPath, ['engine/cli/bin.js', ...args], { env: vars, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
