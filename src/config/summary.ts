/** What syncs where: one readable table per connector, for `config validate`. */
import type { CompiledMapping } from '../mapping/compile';
import type { LoadedConfig } from './load';

const ARROWS = { both: '<->', 'to-cosell': '<--', 'to-crm': '-->' } as const;

export function summarizeConfig(loaded: LoadedConfig, mappingFiles: ReadonlyMap<string, string>): string {
  const { config, mappings } = loaded;
  const store = config.store.driver === 'sqlite' ? `SQLite ${config.store.path}` : 'PostgreSQL';
  const lines = [
    `store: ${store}; terminal conflicts: ${config.reconciliation.terminalConflicts}; default owner: ${config.reconciliation.defaultOwner}`,
    `${config.connectors.length} connector(s); arrows read co-sell <-> CRM`,
  ];
  for (const connector of config.connectors) {
    const mapping = mappings.get(connector.name);
    if (mapping === undefined) continue;
    const state = connector.enabled ? `every "${connector.schedule}"` : 'disabled';
    lines.push('', `${connector.name} (${connector.kind} ${connector.object}), ${state}, mapping ${mappingFiles.get(connector.name) ?? connector.mappingFile}`);
    lines.push(...table(rows(mapping)).map((l) => `  ${l}`));
  }
  const pc = config.partnerCenter;
  if (pc !== null) {
    const webhook = pc.webhook.enabled ? `webhooks from ${pc.webhook.certificateHosts.join(', ')}` : 'no webhooks';
    lines.push('', `partner-center (Referrals API ${pc.apiBase}), every "${pc.schedule}", ${webhook}`);
  }
  return lines.join('\n');
}

function rows(mapping: CompiledMapping): string[][] {
  const out = [['co-sell field', 'dir', 'CRM field(s)', 'owner']];
  for (const [field, f] of mapping.fields) out.push([field, ARROWS[f.direction], f.crmFields.join(', '), f.owner]);
  out.push(['stage', ARROWS[mapping.stage.direction], mapping.stage.crmFields.join(', '), 'core (lifecycle rules)']);
  out.push(['id', ARROWS['to-crm'], mapping.externalIdField, 'external id']);
  return out;
}

function table(data: string[][]): string[] {
  const widths = (data[0] ?? []).map((_, c) => Math.max(...data.map((r) => (r[c] ?? '').length)));
  return data.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
}
