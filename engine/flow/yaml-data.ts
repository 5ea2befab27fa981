/**
 * A flow file's data the quick way, for the common case of a clean file: js-yaml's event parser
 * reads the structure and decodes the scalars (several times less CPU than the `yaml` package,
 * which builds a document with a source position on every node: about 0.7 ms a file, most of a
 * 1,000-flow server's start), and plain scalars are typed by `yaml`'s own core-schema tags, so a
 * value means what it means to `yaml`. The positions are needed only to report a problem: the
 * loader (load-file.ts) parses the file with `yaml` whenever a check finds anything, and whenever
 * this declines.
 *
 * It declines (undefined) for anything beyond the plain subset flows are written in, where two
 * parsers could read the text differently or `yaml` would warn: tabs, directives, several
 * documents, tags, anchors and aliases, keys that are not strings, repeated or special keys (`<<`,
 * `__proto__`), a flow collection (`[...]`, `{...}`) spread over several lines, a root that is not
 * a mapping, and whatever js-yaml itself refuses. test/yaml-data.test.ts holds it to `yaml`'s
 * reading of every flow file the project has and of the awkward cases.
 */
import { EVENT_ID, SCALAR_STYLE, COLLECTION_STYLE, getScalarValue, parseEvents, type Event, type ScalarEvent } from 'js-yaml';
import { isScalar, Schema } from 'yaml';

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: object) => unknown;
}

/** `yaml`'s core schema, the one FlowSource parses with: the tags that type a plain scalar. */
const CORE_TAGS = (new Schema({}).tags as ScalarTag[]).filter((t) => t.default === true && t.test !== undefined);

class Declined extends Error {}

function decline(): never {
  throw new Declined();
}

/** A plain scalar typed as `yaml` types it (null, true, 12, 0x1f, 1e3, .inf…), any other scalar a string. */
function scalarValue(text: string, event: ScalarEvent): unknown {
  const value = getScalarValue(text, event);
  if (event.style !== SCALAR_STYLE.PLAIN) return value;
  const tag = CORE_TAGS.find((t) => t.test!.test(value));
  if (!tag) return value;
  let failed = false;
  const resolved = tag.resolve(value, () => (failed = true), {});
  if (failed) decline();
  // Some tags give a node carrying the value and how it was written (1.50, True): its value is the data.
  const data = isScalar(resolved) ? resolved.value : resolved;
  return typeof data === 'bigint' ? Number(data) : data;
}

interface Frame {
  value: Record<string, unknown> | unknown[];
  /** A mapping's key waiting for its value. */
  key?: string;
}

export function yamlData(text: string): Record<string, unknown> | undefined {
  if (text.includes('\t')) return undefined;
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return undefined;
  }
  try {
    return build(text, events);
  } catch (err) {
    if (err instanceof Declined) return undefined;
    throw err;
  }
}

function build(text: string, events: readonly Event[]): Record<string, unknown> {
  const stack: Frame[] = [];
  let root: unknown;
  let documents = 0;
  // The outermost open flow collection: its line's end, how many are open now (it included), where
  // its last content ended and how many were open there.
  let flow: { lineEnd: number; depth: number; last: number; openAtLast: number } | undefined;

  const within = (start: number, end: number): void => {
    if (!flow || start < 0) return;
    if (end > flow.lineEnd) decline();
    flow.last = end;
    flow.openAtLast = flow.depth;
  };
  const place = (value: unknown): void => {
    const frame = stack[stack.length - 1];
    if (!frame) {
      root = value;
      return;
    }
    if (Array.isArray(frame.value)) {
      frame.value.push(value);
      return;
    }
    if (frame.key === undefined) {
      // A key: a string, as `yaml` would make it (a number or null key would be stringified there).
      if (typeof value !== 'string' || value === '<<' || value === '__proto__' || Object.hasOwn(frame.value, value)) decline();
      frame.key = value;
      return;
    }
    const map = frame.value;
    if (frame.key in map) Object.defineProperty(map, frame.key, { value, writable: true, enumerable: true, configurable: true });
    else map[frame.key] = value;
    frame.key = undefined;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        documents += 1;
        if (documents > 1 || event.directives.length > 0) decline();
        break;
      case EVENT_ID.ALIAS:
        decline();
        break;
      case EVENT_ID.SCALAR:
        if (event.anchorStart !== -1 || event.tagStart !== -1) decline();
        within(event.valueStart, event.valueEnd);
        place(scalarValue(text, event));
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        if (event.anchorStart !== -1 || event.tagStart !== -1) decline();
        const frame: Frame = { value: event.type === EVENT_ID.SEQUENCE ? [] : {} };
        // A key that is a collection: `yaml` would stringify it.
        const parent = stack[stack.length - 1];
        if (parent && !Array.isArray(parent.value) && parent.key === undefined) decline();
        if (event.style === COLLECTION_STYLE.FLOW) {
          if (flow) {
            flow.depth += 1;
            within(event.start, event.start + 1);
          } else {
            const eol = text.indexOf('\n', event.start);
            flow = { lineEnd: eol === -1 ? text.length : eol, depth: 1, last: event.start + 1, openAtLast: 1 };
          }
        } else if (flow) {
          decline();
        }
        place(frame.value);
        stack.push(frame);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame === undefined) break; // the document's end
        if (frame.key !== undefined) decline();
        if (flow) {
          flow.depth -= 1;
          if (flow.depth === 0) {
            // Every bracket open at its last content closes on that same line (a comment cut off):
            // after the last content there is nothing but brackets, commas, spaces and a comment.
            const tail = text.slice(flow.last, flow.lineEnd).split('#')[0]!;
            const closers = [...tail].filter((c) => c === ']' || c === '}').length;
            if (closers < flow.openAtLast) decline();
            flow = undefined;
          }
        }
        break;
      }
    }
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) decline();
  return root as Record<string, unknown>;
}
