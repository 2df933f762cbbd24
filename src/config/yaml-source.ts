/**
 * A YAML file read with the `yaml` Document API: the data, plus the source ranges of every node, so
 * that an issue found on the data can be reported at the line and column it comes from.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatPath, type ConfigIssue, type IssuePath } from './issues';

export interface YamlSource {
  /** The path as shown in issues. */
  file: string;
  data: unknown;
  /** Where `path` is in the file: the key itself when `onKey`, else its value; the nearest existing parent otherwise. */
  locate(path: IssuePath, onKey?: boolean): { line: number; column: number };
  issue(path: IssuePath, message: string, onKey?: boolean): ConfigIssue;
}

/** Reads and parses; a file that cannot be read or parsed gives issues and no source. */
export function readYamlSource(absolutePath: string, shownAs: string): { source: YamlSource | null; issues: ConfigIssue[] } {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`;
    return { source: null, issues: [{ file: shownAs, line: 0, column: 0, path: '', message }] };
  }
  return parseYamlSource(text, shownAs);
}

export function parseYamlSource(text: string, shownAs: string): { source: YamlSource | null; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file: shownAs, line: pos.line, column: pos.col, path: '', message: firstLine(e.message) };
  });
  if (issues.length > 0) return { source: null, issues };
  const source: YamlSource = {
    file: shownAs,
    data: doc.toJS({ maxAliasCount: 100 }) as unknown,
    locate: (path, onKey = false) => {
      const offset = findOffset(doc, path, onKey);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
    issue: (path, message, onKey = false) => {
      const { line, column } = source.locate(path, onKey);
      return { file: shownAs, line, column, path: formatPath(path), message };
    },
  };
  return { source, issues };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function findOffset(doc: Document, path: IssuePath, onKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (pair === undefined) return offset;
      if (last && onKey) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}
