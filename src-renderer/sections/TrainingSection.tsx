/**
 * Training: choose the normal studies and the recipe (the paper's defaults
 * pre-filled), start a run, follow it live (progress, loss chart, pause,
 * resume, cancel), and look back at earlier runs.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { Result, TrainingProgress } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useEvent, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { useReviewSession } from '../review/session';
import { FeatureCacheLine } from '../training/FeatureCacheLine';
import { NormalsPicker } from '../training/NormalsPicker';
import { PastRuns } from '../training/PastRuns';
import { RecipeFields } from '../training/RecipeFields';
import { RunProgress } from '../training/RunProgress';
import { draftFromDefaults, requestFromDraft } from '../training/training-form';
import type { DraftErrors, TrainingDraft } from '../training/training-form';
import { SectionPage } from './SectionPage';

function StartForm({
  defaults,
  candidates,
  onStarted,
}: {
  defaults: Result<'training.defaults'>;
  candidates: Result<'training.candidates'>;
  onStarted(runId: string): void;
}) {
  const api = useApi();
  const { notify } = useNotifier();
  const [draft, setDraft] = useState<TrainingDraft>(() => draftFromDefaults(defaults));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const reviewerId = useReviewSession().reviewer?.id;
  const change = (patch: Partial<TrainingDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = requestFromDraft(draft);
    if ('errors' in parsed) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    setRefusal(null);
    setStarting(true);
    try {
      const { runId } = await api.call('training.start', { ...parsed.request, ...(reviewerId ? { reviewerId } : {}) });
      notify('Training started');
      onStarted(runId);
    } catch (reason) {
      setRefusal(toNormscopeError(reason).message);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Paper variant="outlined" component="form" onSubmit={submit} sx={{ p: 2, display: 'grid', gap: 2 }} aria-label="New training run">
      <NormalsPicker
        choice={draft.normals}
        picked={draft.picked}
        candidates={candidates}
        error={errors.picked}
        onChoice={(normals) => change({ normals })}
        onPicked={(picked) => change({ picked })}
      />
      <Typography variant="body2" color="text.secondary">
        Validation holds out whole studies. Studies marked abnormal measure validation AUPR and are never trained on. A run
        needs at least {defaults.minimum.studies} normal studies and {defaults.minimum.trainingFrames} training images.
      </Typography>
      <RecipeFields draft={draft} errors={errors} onChange={change} />
      {refusal && <Alert severity="error">{refusal}</Alert>}
      <Box>
        <Button type="submit" variant="contained" disabled={starting}>
          Start training
        </Button>
      </Box>
    </Paper>
  );
}

export function TrainingSection() {
  const defaults = useResource('training.defaults', {});
  const candidates = useResource('training.candidates', {});
  const runs = useResource('training.runs', {});
  const [selectedRunId, setSelectedRunId] = useState<string | null>(null);
  const [live, setLive] = useState<Record<string, TrainingProgress>>({});

  useEvent('training.progress', (progress) => setLive((current) => ({ ...current, [progress.runId]: progress })));
  // a run's row changes when its job does (state, checkpoint, model): reload the list then
  useEvent('jobs.updated', (job) => {
    if (job.kind === 'train') runs.reload();
  });

  const list = runs.data ?? [];
  const selected = list.find((r) => r.id === selectedRunId) ?? list.find((r) => r.state === 'running' || r.state === 'queued' || r.state === 'paused') ?? null;
  useEffect(() => {
    if (!selectedRunId && selected) setSelectedRunId(selected.id);
  }, [selected, selectedRunId]);

  const error = defaults.error ?? candidates.error ?? runs.error;
  const training = list.some((r) => r.state === 'running' || r.state === 'queued' || r.state === 'paused');
  return (
    <SectionPage
      title="Training"
      summary="Retrain the anomaly model on your site's normal studies. Features are computed once and cached; every epoch is checkpointed, so a paused or interrupted run continues where it stopped."
    >
      {error && <Alert severity="error">Could not load training: {error.message}</Alert>}
      <Box sx={{ display: 'grid', gap: 3 }}>
        {selected && <RunProgress run={selected} live={live[selected.id] ?? null} onContinued={runs.reload} />}
        {defaults.data && candidates.data && (
          <section aria-labelledby="new-run-heading">
            <Typography id="new-run-heading" variant="h2" component="h2" sx={{ fontSize: '1.2rem', mb: 1 }}>
              New training run
            </Typography>
            <StartForm
              defaults={defaults.data}
              candidates={candidates.data}
              onStarted={(runId) => {
                setSelectedRunId(runId);
                runs.reload();
              }}
            />
          </section>
        )}
        <FeatureCacheLine key={list.filter((r) => r.state === 'succeeded').length} training={training} />
        <section aria-labelledby="past-runs-heading">
          <Typography id="past-runs-heading" variant="h2" component="h2" sx={{ fontSize: '1.2rem', mb: 1 }}>
            Training runs
          </Typography>
          <PastRuns runs={list} onSelect={(run) => setSelectedRunId(run.id)} />
        </section>
      </Box>
    </SectionPage>
  );
}
