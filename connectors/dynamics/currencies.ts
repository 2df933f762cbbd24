/** ISO code <-> transactioncurrencyid, read once (`transactioncurrencies?$select=…`) and cached. */
import { currencyListSchema, parseReply } from './schema';
import type { WebApiClient } from './web-api';

export class CurrencyCache {
  private byIso: Map<string, string> | null = null;
  private isoById = new Map<string, string>();
  private rates: Record<string, number> = {};
  private loading: Promise<void> | null = null;

  constructor(private readonly api: WebApiClient) {}

  get loaded(): boolean {
    return this.byIso !== null;
  }

  async load(): Promise<void> {
    if (this.byIso) return;
    this.loading ??= (async (): Promise<void> => {
      const res = await this.api.send({
        method: 'GET',
        url: 'transactioncurrencies?$select=transactioncurrencyid,isocurrencycode,exchangerate',
        operation: 'read currencies',
      });
      const rows = parseReply(currencyListSchema, res.text, 'read currencies').value;
      const byIso = new Map<string, string>();
      for (const r of rows) {
        if (typeof r.exchangerate === 'number' && r.exchangerate > 0) this.rates[r.isocurrencycode.toUpperCase()] = r.exchangerate;
        byIso.set(r.isocurrencycode.toUpperCase(), r.transactioncurrencyid);
        this.isoById.set(r.transactioncurrencyid.toLowerCase(), r.isocurrencycode.toUpperCase());
      }
      this.byIso = byIso;
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  /**
   * The org's exchange rates (transactioncurrency.exchangerate: units per one unit of the base
   * currency, whose own rate is 1), or null when it keeps none.
   */
  async exchangeRates(): Promise<{ base: string; rates: Record<string, number> } | null> {
    await this.load();
    const entries = Object.entries(this.rates);
    const base = entries.find(([, rate]) => rate === 1)?.[0];
    return base === undefined ? null : { base, rates: { ...this.rates } };
  }

  idOf(iso: string): string | undefined {
    return this.byIso?.get(iso.toUpperCase());
  }

  isoOf(id: string): string | undefined {
    return this.isoById.get(id.toLowerCase());
  }
}
