/** `audit.*`: the chain's state for the status bar and the Reports page, and the trail page by page. */
import type { Handler } from '../../api/dispatch';
import { listAuditEntries, verifyAuditChain } from '../../audit/chain-status';
import type { Store } from '../../store/store';

export function auditHandlers(store: Pick<Store, 'audit'>): {
  'audit.verify': Handler<'audit.verify'>;
  'audit.list': Handler<'audit.list'>;
} {
  return {
    'audit.verify': () => verifyAuditChain(store),
    'audit.list': ({ limit, beforeSeq }) => listAuditEntries(store, limit, beforeSeq),
  };
}
