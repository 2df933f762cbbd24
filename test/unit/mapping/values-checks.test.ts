/** Mapping-file checks of the value options: rates need fixedCurrency, truncate needs maxLength, each located in the file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMappingFile } from '../../../src/mapping/parse';

const ROOT = path.join(__dirname, '../../..');
const shipped = readFileSync(path.join(ROOT, 'config/mappings/salesforce.yaml'), 'utf8');

function issuesOf(text: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-map-'));
  try {
    const file = path.join(dir, 'm.yaml');
    writeFileSync(file, text);
    return readMappingFile(file, 'm.yaml').issues.map((i) => `${i.line}: ${i.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('value options in a mapping file', () => {
  it('the shipped mapping has no issues', () => {
    expect(issuesOf(shipped)).toEqual([]);
  });

  it('refuses rates on a multi-currency amount, at its line', () => {
    const text = shipped.replace('    scale: 2\n', '    scale: 2\n    rates: { EUR: 0.9 }\n');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^\d+: rates convert into fixedCurrency: set fixedCurrency, or drop rates/);
  });

  it('refuses onTooLong truncate without maxLength, and an unknown onTooLong value', () => {
    const withTruncate = shipped.replace('    type: string\n    maxLength: 120\n', '    type: string\n    onTooLong: truncate\n');
    expect(withTruncate).not.toBe(shipped);
    expect(issuesOf(withTruncate)).toEqual([expect.stringMatching(/^\d+: onTooLong needs maxLength$/)]);
    const unknown = shipped.replace('    maxLength: 120\n', '    maxLength: 120\n    onTooLong: drop\n');
    expect(issuesOf(unknown)).toEqual([expect.stringMatching(/^\d+: expected one of truncate, deadLetter$/)]);
  });
});
