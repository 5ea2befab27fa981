import { pino, type DestinationStream, type Logger } from 'pino';
import { redact, scrubString } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests pass an in-memory sink); stdout by default. */
  destination?: DestinationStream;
}

/** The engine's pino logger: every object and message passes through the PII redactor. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      formatters: { log: (obj) => redact(obj) as Record<string, unknown> },
      serializers: { err: (err: unknown) => redact(err) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubString(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that writes nowhere, for library use without a configured sink. */
export const silentLogger: Logger = pino({ level: 'silent' });
