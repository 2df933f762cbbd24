/**
 * Every runtime dependency in package.json is imported by the daemon's own code (src/ or
 * connectors/); devDependencies are not checked. A dependency nothing imports is either dead
 * weight or a sign that the code does by hand what the dependency is there for.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** Dependencies that may be unused for now, each with its reason. */
const NOT_YET_IMPORTED: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
function importedModules(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) out.push(m[1]);
  return out;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || path.isAbsolute(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

describe('package.json dependencies', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const used = new Set(
    ['src', 'connectors']
      .flatMap((d) => sourceFiles(path.join(ROOT, d)))
      .flatMap((f) => importedModules(readFileSync(f, 'utf8')))
      .map(packageOf)
      .filter((p): p is string => p !== null),
  );

  it.each(Object.keys(pkg.dependencies))('%s is imported in src/ or connectors/', (name) => {
    if (name in NOT_YET_IMPORTED) {
      // An allowance ends once the package is imported: the entry must then be removed.
      expect(used.has(name)).toBe(false);
      return;
    }
    expect(used.has(name) ? name : `${name} is in package.json but nothing in src/ or connectors/ imports it`).toBe(name);
  });

  it('lists allowances only for packages that are dependencies', () => {
    for (const name of Object.keys(NOT_YET_IMPORTED)) expect(Object.keys(pkg.dependencies)).toContain(name);
  });

  it('reads package names from specifiers', () => {
    expect(packageOf('@azure/msal-node')).toBe('@azure/msal-node');
    expect(packageOf('jsforce/lib/api/bulk2')).toBe('jsforce');
    expect(packageOf('./retry')).toBeNull();
    expect(packageOf('node:http')).toBeNull();
  });
});
