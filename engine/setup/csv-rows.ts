import { parse } from 'csv-parse';
import { Readable } from 'node:stream';

export type CsvRow =
  | { line: number; values: string[] }
  | { line: number; bad: string };

export interface CsvRows {
  /** Header names the export used, as given. */
  headers: string[];
  /** Data rows in file order: usable ones with their values in header order, bad ones with why. */
  rows: CsvRow[];
}

/**
 * Reads an export CSV. The header row names the columns; a row with a different number of
 * columns, or one the CSV parser cannot read, is reported once, with its line number, and
 * skipped, never fatal. Line numbers are the file's (the header is line 1; a quoted value
 * spanning lines counts them). Lines may end in CRLF, LF or CR, mixed within one file (a file
 * edited on two systems): with one ending assumed, a line ending otherwise ran into the next row.
 */
export async function readCsvRows(content: Buffer): Promise<CsvRows> {
  const bad = new Map<number, string>();
  const rows: CsvRow[] = [];
  const parser = Readable.from([content]).pipe(
    parse({
      bom: true,
      info: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        const line = (err as { lines?: number } | undefined)?.lines ?? 0;
        if (!bad.has(line)) bad.set(line, `unreadable CSV (${(err as { code?: string } | undefined)?.code ?? 'parse error'})`);
      },
    }),
  );
  let headers: string[] | null = null;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (headers === null) {
      headers = item.record;
      continue;
    }
    const line = item.info.lines;
    if (item.record.length !== headers.length) {
      if (!bad.has(line)) bad.set(line, `wrong column count: ${item.record.length} values for ${headers.length} columns`);
      continue;
    }
    rows.push({ line, values: item.record });
  }
  for (const [line, reason] of bad) rows.push({ line, bad: reason });
  rows.sort((a, b) => a.line - b.line);
  return { headers: headers ?? [], rows };
}
