/**
 * Several engines behind one: the CRM instances' engine and Partner Center's each run their own
 * instances; the daemon, the CLI and the admin API see one list of instances. Review actions go to
 * the engine of the instance their dead letter or conflict belongs to.
 */
import type { StateStore } from '../store/types';
import type { SyncEngine } from './types';

export function combineEngines(store: Pick<StateStore, 'getDeadLetter' | 'getConflict'>, engines: readonly SyncEngine[]): SyncEngine {
  const owner = (connector: string): SyncEngine => {
    const found = engines.find((e) => e.connectorNames().includes(connector));
    if (found === undefined) {
      const known = engines.flatMap((e) => e.connectorNames());
      throw new Error(`unknown connector instance "${connector}" (configured: ${known.join(', ')})`);
    }
    return found;
  };
  return {
    connectorNames: () => engines.flatMap((e) => e.connectorNames()),
    runOnce: (options) => owner(options.connector).runOnce(options),
    async retryDeadLetter(id) {
      const letter = await store.getDeadLetter(id);
      if (letter === null) return { ok: false, message: `dead letter ${id} does not exist` };
      return owner(letter.connector).retryDeadLetter(id);
    },
    async resolveConflict(id, keep) {
      const conflict = await store.getConflict(id);
      if (conflict === null) return { ok: false, message: `conflict ${id} does not exist` };
      return owner(conflict.connector).resolveConflict(id, keep);
    },
    resyncRecord: (params) => owner(params.connector).resyncRecord(params),
  };
}
