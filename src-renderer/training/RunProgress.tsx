/**
 * A training run at work: its job's progress and message, the epoch, step,
 * loss and time left from the run's live events, the loss chart, and pause,
 * resume and cancel (through the job tray's actions).
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { JobInfo, TrainingProgress, TrainingRunInfo } from '../../src-main/api/contract';
import { useApi } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { useReviewSession } from '../review/session';
import { actionsFor } from '../jobs/job-list';
import type { JobAction } from '../jobs/job-list';
import { useJobs } from '../jobs/JobsProvider';
import { LossChart } from './LossChart';
import { epochText as epochTextOf, formatEta, inPartnerPhase } from './training-form';

const ACTION_LABELS: Record<JobAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel',
};

const STATE_TEXT: Record<JobInfo['state'], string> = {
  queued: 'Waiting to start',
  running: 'Training',
  paused: 'Paused',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body1" sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: 600 }}>
        {value}
      </Typography>
    </Box>
  );
}

/** A failed or cancelled run continues from its last checkpoint (same data, recipe and seed). */
function ContinueButton({ run, onContinued }: { run: TrainingRunInfo; onContinued(): void }) {
  const api = useApi();
  const { reportError } = useNotifier();
  const reviewerId = useReviewSession().reviewer?.id;
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      await api.call('training.continue', { runId: run.id, ...(reviewerId ? { reviewerId } : {}) });
      onContinued();
    } catch (error) {
      reportError(`Continuing ${run.name}`, error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="outlined" color="inherit" disabled={busy} onClick={() => void go()}>
      {run.partner && inPartnerPhase(run)
        ? `Continue flipped partner from epoch ${run.partner.epochsDone}`
        : run.epochsDone > 0
          ? `Continue from epoch ${run.epochsDone}`
          : 'Start again'}
    </Button>
  );
}

export function RunProgress({
  run,
  live,
  onContinued,
}: {
  run: TrainingRunInfo;
  live: TrainingProgress | null;
  onContinued(): void;
}) {
  const { jobs, act } = useJobs();
  const job = jobs.find((j) => j.id === run.jobId) ?? null;
  const state = job?.state ?? run.state;
  const curves =
    live && live.curves.trainLoss.length >= run.curves.trainLoss.length ? live.curves : run.curves;
  const stored = run.partner?.curves ?? null;
  const partnerCurves =
    live?.partnerCurves && stored && live.partnerCurves.trainLoss.length >= stored.trainLoss.length
      ? live.partnerCurves
      : stored;
  // the figures follow the model training now: the partner's (AUPR of the pair) once its phase began
  const shown =
    partnerCurves && (live ? live.model === 'partner' : inPartnerPhase(run))
      ? partnerCurves
      : curves;
  const percent =
    job?.progress === null || job?.progress === undefined ? null : Math.round(job.progress * 100);
  const epochText = epochTextOf(run, live);
  const eta = formatEta(live?.etaSeconds ?? null);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label={`Training run ${run.name}`}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
        <Typography variant="h3" component="h3" sx={{ flex: 1, fontSize: '1.05rem' }}>
          {run.name}
        </Typography>
        <Typography
          variant="body2"
          color={state === 'failed' ? 'error' : 'text.secondary'}
          data-testid="run-state"
        >
          {STATE_TEXT[state]}
          {percent !== null && (state === 'running' || state === 'paused') ? ` · ${percent}%` : ''}
        </Typography>
        {job &&
          actionsFor(job).map((action) => (
            <Button
              key={action}
              variant="outlined"
              color="inherit"
              onClick={() => void act(job, action)}
            >
              {ACTION_LABELS[action]}
            </Button>
          ))}
        {(state === 'failed' || state === 'cancelled') && (
          <ContinueButton run={run} onContinued={onContinued} />
        )}
      </Box>
      {(state === 'running' || state === 'queued' || state === 'paused') && (
        <LinearProgress
          variant={percent === null ? 'indeterminate' : 'determinate'}
          value={percent ?? undefined}
          aria-label={`Progress of ${run.name}`}
          sx={{ mb: 1 }}
        />
      )}
      {job?.message && state !== 'succeeded' && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {job.message}
        </Typography>
      )}
      {run.error && state === 'failed' && (
        <Alert severity="error" sx={{ mb: 1 }}>
          {run.error.message}
        </Alert>
      )}
      <Box sx={{ display: 'flex', gap: 4, flexWrap: 'wrap', mb: 1 }}>
        <Figure label="Epoch" value={epochText} />
        <Figure label="Step" value={live ? `${live.step} of ${live.totalSteps}` : '—'} />
        <Figure
          label="Loss (last step)"
          value={live?.loss === null || live?.loss === undefined ? '—' : live.loss.toPrecision(4)}
        />
        {run.partner && <Figure label="Models" value="causal + flipped partner" />}
        <Figure label="Validation loss" value={shown.valLoss.at(-1)?.toPrecision(4) ?? '—'} />
        <Figure
          label={shown === curves ? 'Validation AUPR' : 'Validation AUPR (pair)'}
          value={shown.valAupr.at(-1)?.toFixed(3) ?? '—'}
        />
        <Figure label="Time left" value={state === 'running' ? (eta ?? 'estimating…') : '—'} />
      </Box>
      <LossChart
        title={`Loss per epoch of ${run.name}`}
        runs={
          partnerCurves
            ? [
                { label: 'main model', curves },
                { label: 'flipped partner', curves: partnerCurves },
              ]
            : [{ label: run.name, curves }]
        }
      />
    </Paper>
  );
}
