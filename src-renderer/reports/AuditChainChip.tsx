/** The audit chain's state as a chip: green when verified, red and named when broken; the reason in its tooltip. */
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import type { AuditChainStatus } from '../../src-main/api/contract';
import type { NormscopeError } from '../../src-main/api/errors';
import { auditChainLabel } from './useAuditChain';

export function AuditChainChip({
  status,
  error,
  size = 'medium',
}: {
  status: AuditChainStatus | null;
  error: NormscopeError | null;
  size?: 'small' | 'medium';
}) {
  if (!status) {
    const text = error ? 'Audit chain not checked' : 'Checking audit chain…';
    return (
      <Tooltip title={error ? error.message : 'Walking the hash chain'} describeChild>
        <Chip
          size={size}
          variant="outlined"
          label={text}
          aria-label={text}
          sx={{ flexShrink: 0 }}
        />
      </Tooltip>
    );
  }
  const label = auditChainLabel(status);
  return (
    <Tooltip
      title={`${status.summary} (checked ${status.checkedAt.replace('T', ' ').slice(0, 19)} UTC)`}
      describeChild
    >
      <Chip
        size={size}
        color={status.ok ? 'success' : 'error'}
        variant={status.ok ? 'outlined' : 'filled'}
        label={label}
        aria-label={label}
        role="status"
        tabIndex={0}
        sx={{ fontWeight: 600, flexShrink: 0 }}
      />
    </Tooltip>
  );
}
