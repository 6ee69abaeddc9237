/**
 * The bottom bar, always visible: what model and backbone score the studies,
 * where they run, where the data lives and whether the host is reachable.
 * A stand-in backbone is called out in words, not just a colour.
 */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { TypographyProps } from '@mui/material/Typography';
import type { ReactNode } from 'react';
import type { AppStatus } from '../../src-main/api/contract';
import { useApi, useConnectionState } from '../api/hooks';
import type { ConnectionState } from '../api/transport';
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

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75, minWidth: 0 }}>
      <Typography variant="caption" color="text.secondary" component="span">
        {label}
      </Typography>
      {children}
    </Box>
  );
}

/** A value in the bar; extra props (a Tooltip's handlers and ref) go to the text element. */
function Value({ label, ...rest }: TypographyProps & { label: string }) {
  return <Typography variant="caption" component="span" aria-label={label} noWrap sx={{ fontWeight: 600 }} {...rest} />;
}

/** A value with more to say on hover or keyboard focus. */
function ValueWithDetail({ label, detail, children }: { label: string; detail: string; children: ReactNode }) {
  return (
    // describeChild: the tooltip describes the value; it must not replace its label
    <Tooltip title={detail} describeChild>
      <Value label={label} tabIndex={0}>
        {children}
      </Value>
    </Tooltip>
  );
}

function BackboneValue({ backbone }: { backbone: AppStatus['backbone'] }) {
  if (!backbone) return <Value label="Backbone: No backbone">No backbone</Value>;
  return (
    <>
      <ValueWithDetail label={`Backbone: ${backbone.name}`} detail={`${backbone.family} · sha256 ${backbone.sha256.slice(0, 12)}…`}>
        {backbone.name}
      </ValueWithDetail>
      {backbone.standIn && (
        <Chip
          color="warning"
          variant="outlined"
          icon={<WarningIcon />}
          label="Stand-in backbone: not for clinical use"
          sx={{ fontWeight: 600 }}
        />
      )}
    </>
  );
}

export function StatusBar() {
  const api = useApi();
  const { data: status, error } = useAppStatus();
  const connection = CONNECTION_TEXT[useConnectionState()];

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
          <Item label="Model">
            <Value label={`Active model: ${status.activeModel?.name ?? 'No model'}`}>
              {status.activeModel?.name ?? 'No model'}
            </Value>
          </Item>
          <Divider orientation="vertical" flexItem />
          <Item label="Backbone">
            <BackboneValue backbone={status.backbone} />
          </Item>
          <Divider orientation="vertical" flexItem />
          <Item label="Runs on">
            <ValueWithDetail
              label={`Execution provider: ${providerLabel(status.provider.active)}`}
              detail={availableProvidersText(status.provider.available)}
            >
              {providerLabel(status.provider.active)}
            </ValueWithDetail>
          </Item>
          <Divider orientation="vertical" flexItem />
          <Item label="Data">
            <ValueWithDetail label={`Data directory: ${status.dataDir}`} detail={status.dataDir}>
              {shortenPath(status.dataDir, 48)}
            </ValueWithDetail>
          </Item>
        </>
      ) : (
        <Typography variant="caption" color={error ? 'error' : 'text.secondary'}>
          {error ? `Status unavailable: ${error.message}` : 'Loading status…'}
        </Typography>
      )}
      <Box sx={{ flex: 1 }} />
      <Tooltip title={`Host: ${api.describe()}`} describeChild>
        <Box role="status" aria-label={`Connection: ${connection.text}`} sx={{ display: 'flex', alignItems: 'center', gap: 0.75 }}>
          <Box component="span" sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: connection.color }} />
          <Typography variant="caption">{connection.text}</Typography>
        </Box>
      </Tooltip>
      <Divider orientation="vertical" flexItem />
      <JobTray />
    </Box>
  );
}
