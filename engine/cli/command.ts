/** A CLI command: one file in engine/cli/commands/, named for the command, exporting `command`, and one line in main.ts's table. */
export interface Command {
  /** Usage text printed by `engine <name> --help`, `engine help <name>` and on usage errors. */
  usage: string;
  /** Runs the command; resolves to the process exit code (0 ok, 1 failure, 2 usage error). */
  run(argv: string[]): Promise<number>;
}

/** Thrown by a command for a usage error; main prints the message and the usage, exits 2. */
export class UsageError extends Error {}
