import { parse } from 'csv-parse';
import { Readable } from 'node:stream';

export type CsvRow =
  | { line: number; values: Record<string, string> }
  | { line: number; bad: string };

export interface CsvRows {
  /** Header names the export used, as given. */
  headers: string[];
  /** Data rows in file order: usable ones keyed by raw record names, bad ones with why. */
  rows: CsvRow[];
}

/**
 * Reads a Flipcause contacts or transactions export. The header row names the columns (any order,
 * any case or spacing, extra columns ignored); a row with a different number of columns, or one
 * the CSV parser cannot read, is reported with its line number and skipped, never fatal.
 * Line numbers are the file's (the header is line 1; a quoted value spanning lines counts them).
 */
export async function readCsvRows(content: Buffer, columnTargets: (headers: readonly string[]) => Array<string | null>): Promise<CsvRows> {
  const rows: CsvRow[] = [];
  const parser = Readable.from([content]).pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        const line = (err as { lines?: number } | undefined)?.lines ?? 0;
        rows.push({ line, bad: `unreadable CSV (${(err as { code?: string } | undefined)?.code ?? 'parse error'})` });
      },
    }),
  );
  let headers: string[] | null = null;
  let targets: Array<string | null> = [];
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (headers === null) {
      headers = item.record;
      targets = columnTargets(headers);
      continue;
    }
    const line = item.info.lines;
    if (item.record.length !== headers.length) {
      rows.push({ line, bad: `wrong column count: ${item.record.length} values for ${headers.length} columns` });
      continue;
    }
    const values: Record<string, string> = {};
    item.record.forEach((v, i) => {
      const target = targets[i];
      if (target) values[target] = v;
    });
    rows.push({ line, values });
  }
  rows.sort((a, b) => a.line - b.line);
  return { headers: headers ?? [], rows };
}
