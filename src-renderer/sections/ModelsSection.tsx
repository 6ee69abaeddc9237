/**
 * What scores the studies right now (from app.status), and the model
 * registry: versions with their provenance and blind-spot truth, comparison,
 * activation and roll-back (old scores keep their version), and bundles.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { ModelVersionInfo, Result } from '../../src-main/api/contract';
import { useApi, useEvent, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { BundleForms } from '../models/BundleForms';
import { CompareVersions } from '../models/CompareVersions';
import { VersionsTable } from '../models/VersionsTable';
import { useReviewSession } from '../review/session';
import { useAppStatus } from '../status/AppStatusProvider';
import { availableProvidersText, providerLabel } from '../status/labels';
import { SectionPage } from './SectionPage';

function Heading({ id, children }: { id: string; children: string }) {
  return (
    <Typography id={id} variant="h2" component="h2" sx={{ fontSize: '1.2rem', mt: 3, mb: 1 }}>
      {children}
    </Typography>
  );
}

/** After an activation: studies still scored by other versions keep those scores until the user rescores them. */
function RescoreOffer({ activation, onDone }: { activation: Result<'models.activate'>; onDone(): void }) {
  const api = useApi();
  const { notify, reportError } = useNotifier();
  const stale = activation.studiesScoredByOtherVersions;
  const rescore = async () => {
    try {
      await api.call('scoring.start', { studyUids: 'unscored', modelVersionId: activation.model.id });
      notify(`Rescoring with ${activation.model.name}: follow it in the job tray`);
      onDone();
    } catch (error) {
      reportError('Starting the rescoring', error);
    }
  };
  return (
    <Alert
      severity="info"
      sx={{ my: 1 }}
      onClose={onDone}
      action={
        <Button color="inherit" size="small" onClick={() => void rescore()}>
          Rescore
        </Button>
      }
    >
      {stale} {stale === 1 ? 'study keeps its score' : 'studies keep their scores'} from earlier versions: scores always name the
      version that made them. Rescore {stale === 1 ? 'it' : 'them'} with {activation.model.name}?
    </Alert>
  );
}

function ModelRegistry() {
  const api = useApi();
  const status = useAppStatus();
  const { notify, reportError } = useNotifier();
  const versions = useResource('models.list', {});
  const rollbackTarget = useResource('models.rollbackTarget', {});
  const [compared, setCompared] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [activation, setActivation] = useState<Result<'models.activate'> | null>(null);
  const reviewerId = useReviewSession().reviewer?.id;
  useEvent('jobs.updated', (job) => {
    if (job.kind === 'train' && job.state === 'succeeded') versions.reload();
  });

  const change = async (what: string, call: () => Promise<Result<'models.activate'>>) => {
    setBusy(true);
    try {
      const result = await call();
      notify(`${result.model.name} is now active`);
      setActivation(result.studiesScoredByOtherVersions > 0 ? result : null);
      versions.reload();
      rollbackTarget.reload();
      status.reload();
    } catch (error) {
      reportError(what, error);
    } finally {
      setBusy(false);
    }
  };
  const activate = (v: ModelVersionInfo) => change(`Activating ${v.name}`, () => api.call('models.activate', { id: v.id, ...(reviewerId ? { reviewerId } : {}) }));
  const rollback = () => change('Rolling back', () => api.call('models.rollback', reviewerId ? { reviewerId } : {}));
  const list = versions.data ?? [];

  return (
    <>
      <Box component="section" aria-labelledby="versions-heading">
        <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 2 }}>
          <Heading id="versions-heading">Model versions</Heading>
          <Button size="small" variant="outlined" onClick={() => void rollback()} disabled={busy || !rollbackTarget.data}>
            {rollbackTarget.data ? `Roll back to ${rollbackTarget.data.name}` : 'Nothing to roll back to'}
          </Button>
        </Box>
        {versions.error && <Alert severity="error">Could not load the model versions: {versions.error.message}</Alert>}
        {activation && <RescoreOffer activation={activation} onDone={() => setActivation(null)} />}
        <VersionsTable
          versions={list}
          compared={compared}
          busy={busy}
          onCompare={(id, on) => setCompared((c) => (on ? [...c, id].slice(-4) : c.filter((x) => x !== id)))}
          onActivate={(v) => void activate(v)}
        />
      </Box>
      <Box component="section" aria-labelledby="compare-heading">
        <Heading id="compare-heading">Compare versions</Heading>
        {compared.length >= 2 ? (
          <CompareVersions ids={compared} />
        ) : (
          <Typography color="text.secondary">Tick two to four versions above to compare their curves and metrics.</Typography>
        )}
      </Box>
      <Box component="section" aria-labelledby="bundle-heading">
        <Heading id="bundle-heading">Export and import</Heading>
        <BundleForms versions={list} onImported={versions.reload} />
      </Box>
    </>
  );
}

export function ModelsSection() {
  const { data: status, error } = useAppStatus();
  return (
    <SectionPage
      title="Models"
      summary="What scores the studies now, every model version with how it was made, and moving a model to another workstation."
    >
      {error && <Alert severity="error">Could not load the current model: {error.message}</Alert>}
      {status && (
        <Table
          size="small"
          aria-label="Model in use"
          sx={{ maxWidth: 720, '& th': { width: 180, whiteSpace: 'nowrap', color: 'text.secondary' } }}
        >
          <TableBody>
            <TableRow>
              <TableCell component="th" scope="row">Active model</TableCell>
              <TableCell>{status.activeModel?.name ?? 'No model'}</TableCell>
            </TableRow>
            <TableRow>
              <TableCell component="th" scope="row">Backbone</TableCell>
              <TableCell>
                {status.backbone ? `${status.backbone.name} · ${status.backbone.family}` : 'No backbone'}
                {status.backbone?.standIn && (
                  <Chip color="warning" variant="outlined" label="Stand-in: not for clinical use" sx={{ ml: 1, fontWeight: 600 }} />
                )}
              </TableCell>
            </TableRow>
            <TableRow>
              <TableCell component="th" scope="row">Execution provider</TableCell>
              <TableCell>
                {providerLabel(status.provider.active)} ({availableProvidersText(status.provider.available)})
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      )}
      <ModelRegistry />
    </SectionPage>
  );
}
