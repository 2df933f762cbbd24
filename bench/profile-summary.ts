/**
 * Summarises a V8 CPU profile (`--cpu-prof`, or `npm run bench -- --profile DIR`): self time by
 * function and by file, the largest first.
 *
 *   node dist/bench/profile-summary.js FILE.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('node_modules/');
  if (modules >= 0) return clean.slice(modules + 'node_modules/'.length);
  const dist = clean.lastIndexOf('/dist/');
  return dist >= 0 ? clean.slice(dist + '/dist/'.length) : path.basename(clean);
}

export function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const file = shortUrl(node.callFrame.url);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${file}:${String(node.callFrame.lineNumber + 1)}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const group = file.includes('/') ? file.split('/').slice(0, file.startsWith('@') ? 2 : 1).join('/') + (file.startsWith('src/') || file.startsWith('connectors/') ? `/${file.split('/')[1] ?? ''}` : '') : file;
    byFile.set(group, (byFile.get(group) ?? 0) + us);
  }
  const rows = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, '', 'self time by function:', rows(byFunction), '', 'self time by package or source folder:', rows(byFile)].join('\n');
}

if (require.main === module) {
  const [file, flag, n] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: profile-summary.js FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const top = flag === '--top' ? Number(n) : 25;
  process.stdout.write(`${summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top)}\n`);
}
