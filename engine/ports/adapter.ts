/**
 * An adapter definition: everything the engine may know about an adapter, declared by the adapter
 * itself and registered by name (engine/registry.ts). Its config type is the adapter's own; the
 * engine sees only the block under `source:` / `destination:` and what is declared here.
 */
import type { EngineError } from '../errors.ts';
import type { Destination } from './destination.ts';
import type { Source } from './source.ts';

export interface AdapterContext {
  /** Resolves `${env:NAME}` / `${file:path}` references to their value. */
  secret(ref: string): string;
}

/** A key of the adapter's block that holds a secret reference (never a literal). */
export interface SecretField {
  key: string;
  /** True when the secret identifies one customer: two flows sharing it is a copy-paste mistake. */
  identifiesCustomer: boolean;
}

/** One problem the adapter's own checks found in its block, placed by its path inside the block. */
export interface ConfigProblem {
  /** Path inside the adapter's block, e.g. ['since'] or ['triggers', 1]; [] for the block itself. */
  path: (string | number)[];
  /** Whether the problem sits at the key or at its value (where an editor points). */
  at: 'key' | 'value';
  severity: 'error' | 'warning';
  /** A coded error from the adapter's table (an input error: the file is wrong). */
  error: EngineError;
}

/** What the engine lends an adapter's checks, so such rules have one home. */
export interface CheckTools {
  /** The candidate one typo away from `word` (the engine's did-you-mean rule), if any. */
  nearest(word: string, candidates: readonly string[]): string | undefined;
}

interface AdapterBase {
  name: string;
  /** JSON Schema of this adapter's block in a flow file. */
  configSchema: Record<string, unknown>;
  secretFields: readonly SecretField[];
  /**
   * Checks the schema cannot express. Reads the block defensively (it may be invalid), so it
   * reports even when the schema found other problems in the same file.
   */
  check?(block: unknown, tools: CheckTools): ConfigProblem[];
  /** Keys of donor data this adapter handles (raw payload and destination names): logs redact them. */
  piiKeys: readonly string[];
}

/** What the engine's intake and pipeline take from a source's config. */
export interface IntakeSettings {
  /** Records dated before this (ms since epoch) are skipped; null: none are. */
  sinceMs: number | null;
  /** Trigger types the flow accepts; others are stored and skipped. */
  triggers: ReadonlySet<string>;
}

/** Ways the source's sender departs from HTTP conventions, which the server must tolerate. */
export interface IntakeQuirks {
  /** The sender labels bodies with malformed Content-Types: read every delivery as raw bytes. */
  anyContentType: boolean;
}

/** What tests, the demo and `engine test` need to act as the sender. */
export interface SourceTestingKit {
  /** A fresh value for one of the adapter's secret fields, for a test run. */
  testSecret(key: string): string;
  /** Headers (and the URL token segment) that make `body` an authentic delivery under these secrets. */
  sign(body: string, secrets: Readonly<Record<string, string | undefined>>): { headers: Record<string, string>; token?: string };
  fixtureNames(): string[];
  /** The delivery body exactly as stored (the bytes a signature covers). */
  fixtureBytes(name: string): Buffer;
  fixtureRecords(name: string): Record<string, unknown>[];
  /** A record as if it came from another sender account (its ids rewritten). */
  moveToAccount(record: Record<string, unknown>, accountId: string): Record<string, unknown>;
}

/** One export column the source reads, and the normalised-event fields it feeds. */
export interface ExportColumn {
  /** The header as the file spells it. */
  column: string;
  /** Normalised-event paths it feeds, e.g. ["contact.phone.number"]. */
  fields: string[];
}

/** One export file as the source reads it: worked out once from its header row. */
export interface ExportLayout {
  /** What the file is, in the sender's words ("contacts export"). */
  format: string;
  /** Columns read, in file order. */
  mapped: ExportColumn[];
  /** Columns this format does not read (nothing of theirs reaches the normalised event). */
  ignored: string[];
  /**
   * One data row (values in header order) as a raw record the source normalises, carrying the
   * row's own date when the export has one.
   */
  toRecord(values: readonly string[], options: { line: number; onList: boolean }): Record<string, unknown>;
}

/** Bringing older records in from the sender's spreadsheet exports (`engine backfill`). */
export interface ExportReader<Config> {
  /** The layout of a file with these headers; null when it is no export this source knows. */
  detect(config: Config, headers: readonly string[]): ExportLayout | null;
  /** The exports it knows, with the headers that tell them apart (for the error that says none matched). */
  formats: readonly string[];
  /** A backfilled row with every column filled, as a raw record (`check` samples the mapping on it). */
  sample(config: Config): Record<string, unknown>;
}

export interface SourceAdapter<Config = never> extends AdapterBase {
  create(config: Config, ctx: AdapterContext): Source;
  intakeSettings(config: Config): IntakeSettings;
  quirks: IntakeQuirks;
  exports: ExportReader<Config>;
  testing: SourceTestingKit;
}

/** What a fake destination shows a test: the account as it ended up, and the writes in order. */
export interface FakeObservation {
  subscribers: Array<{ email: string; status: string; groups: string[]; fields: Record<string, unknown> }>;
  /** Writes in order, ids spelled group:<name> / subscriber:<email>. */
  requests: Array<{ method: string; path: string; body: unknown }>;
}

export interface FakeDestination {
  readonly url: string;
  /** Creates (or replaces) the account the credential `token` opens, with this content. */
  seed(token: string, seed: unknown): void;
  observe(token: string): FakeObservation;
  close(): Promise<void>;
}

export interface DestinationTestingKit {
  startFake(options?: Record<string, unknown>): Promise<FakeDestination>;
  /** The adapter's block pointed at a fake: the credential reference and the fake's URL. */
  pointAt(config: Record<string, unknown>, target: { credentialRef: string; url: string }): Record<string, unknown>;
}

export interface DestinationAdapter<Config = never> extends AdapterBase {
  create(config: Config, ctx: AdapterContext): Destination;
  /** The key of the block's account credential (one of its secret fields). */
  credentialKey: string;
  /** What limits how fast one account can be written, in a sentence (shown before long runs such as a backfill). */
  pace?: string;
  testing: DestinationTestingKit;
}
