/**
 * The bottom bar, always visible: what model and backbone score the studies,
 * where they run, where the data lives and whether the host is reachable.
 * A stand-in backbone is called out in words, not just a colour. When space
 * runs out, names and the data directory are shortened (their full text is
 * in a tooltip); the warning, the provider, the connection and the job tray
 * never are.
 */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import type { AppStatus } from '../../src-main/api/contract';
import { useApi, useConnectionState } from '../api/hooks';
import type { ConnectionState } from '../api/transport';
import { AuditChainChip } from '../reports/AuditChainChip';
import { useAuditChain } from '../reports/useAuditChain';
import { useAppStatus } from '../status/AppStatusProvider';
import { availableProvidersText, providerLabel, shortenPath } from '../status/labels';
import { WarningIcon } from './icons';
import { JobTray } from './JobTray';

const CONNECTION_TEXT: Record<ConnectionState, { text: string; color: string }> = {
  connecting: { text: 'Connecting…', color: 'warning.main' },
  open: { text: 'Connected', color: 'success.main' },
  reconnecting: { text: 'Connection lost, reconnecting…', color: 'error.main' },
  closed: { text: 'Disconnected', color: 'error.main' },
};

/**
 * A labelled group; `shrink` (a flex-shrink weight) lets it give up width, its
 * value then cut with an ellipsis. 0: never shrinks.
 */
function Item({ label, shrink = 0, children }: { label: string; shrink?: number; children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75, minWidth: 0, flexShrink: shrink }}>
      <Typography variant="caption" color="text.secondary" component="span" sx={{ whiteSpace: 'nowrap' }}>
        {label}
      </Typography>
      {children}
    </Box>
  );
}

/**
 * A value with its accessible label, its full text on hover or keyboard focus
 * (describeChild: the tooltip describes the value, it must not replace its label).
 */
function Value({ label, detail, children }: { label: string; detail?: string; children: ReactNode }) {
  const text = (
    <Typography
      variant="caption"
      component="span"
      aria-label={label}
      tabIndex={detail ? 0 : undefined}
      noWrap
      sx={{ fontWeight: 600, minWidth: 0 }}
    >
      {children}
    </Typography>
  );
  return detail ? (
    <Tooltip title={detail} describeChild>
      {text}
    </Tooltip>
  ) : (
    text
  );
}

function BackboneItem({ backbone }: { backbone: AppStatus['backbone'] }) {
  return (
    <Item label="Backbone" shrink={1}>
      {backbone ? (
        <Value label={`Backbone: ${backbone.name}`} detail={`${backbone.name} · ${backbone.family} · sha256 ${backbone.sha256.slice(0, 12)}…`}>
          {backbone.name}
        </Value>
      ) : (
        <Value label="Backbone: No backbone">No backbone</Value>
      )}
    </Item>
  );
}

/** Outside the backbone's item, so shortening the name never covers the warning. */
function StandInWarning() {
  return (
    <Chip
      color="warning"
      variant="outlined"
      icon={<WarningIcon />}
      label="Stand-in backbone: not for clinical use"
      sx={{ fontWeight: 600, flexShrink: 0 }}
    />
  );
}

export function StatusBar() {
  const api = useApi();
  const { data: status, error } = useAppStatus();
  const connection = CONNECTION_TEXT[useConnectionState()];
  const modelName = status?.activeModel?.name ?? 'No model';
  const auditChain = useAuditChain();

  return (
    <Box
      component="footer"
      aria-label="Status bar"
      sx={{
        gridArea: 'status',
        display: 'flex',
        alignItems: 'center',
        gap: 1.5,
        px: 1.5,
        minHeight: 36,
        borderTop: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
        overflow: 'hidden',
      }}
    >
      {status ? (
        <>
          <Item label="Model" shrink={1}>
            <Value label={`Active model: ${modelName}`} detail={status.activeModel ? modelName : undefined}>
              {modelName}
            </Value>
          </Item>
          <Divider orientation="vertical" flexItem />
          <BackboneItem backbone={status.backbone} />
          {status.backbone?.standIn && <StandInWarning />}
          <Divider orientation="vertical" flexItem />
          <Item label="Runs on">
            <Value
              label={`Execution provider: ${providerLabel(status.provider.active)}`}
              detail={availableProvidersText(status.provider.available)}
            >
              {providerLabel(status.provider.active)}
            </Value>
          </Item>
          <Divider orientation="vertical" flexItem />
          {/* the data directory gives way first: its tail is what tells it apart */}
          <Item label="Data" shrink={4}>
            <Value label={`Data directory: ${status.dataDir}`} detail={status.dataDir}>
              {shortenPath(status.dataDir, 40)}
            </Value>
          </Item>
        </>
      ) : (
        <Typography variant="caption" color={error ? 'error' : 'text.secondary'} noWrap>
          {error ? `Status unavailable: ${error.message}` : 'Loading status…'}
        </Typography>
      )}
      <Box sx={{ flex: 1 }} />
      <AuditChainChip status={auditChain.data} error={auditChain.error} size="small" />
      <Tooltip title={`Host: ${api.describe()}`} describeChild>
        <Box
          role="status"
          aria-label={`Connection: ${connection.text}`}
          tabIndex={0}
          sx={{ display: 'flex', alignItems: 'center', gap: 0.75, flexShrink: 0 }}
        >
          <Box component="span" sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: connection.color }} />
          <Typography variant="caption" noWrap>
            {connection.text}
          </Typography>
        </Box>
      </Tooltip>
      <Divider orientation="vertical" flexItem />
      <JobTray />
    </Box>
  );
}
