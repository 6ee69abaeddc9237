/**
 * Offered on an empty worklist: loads the demo (phantom studies, a stand-in
 * backbone, a model trained on the demo normals, scores and thresholds) as one
 * job; the worklist fills itself through `studies.changed` as it goes.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { JobInfo } from '../../src-main/api/contract';
import { useApi, useEvent, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';

export function DemoOffer() {
  const api = useApi();
  const notify = useNotifier();
  const status = useResource('demo.status', {});
  const [job, setJob] = useState<JobInfo | null>(null);

  useEvent('jobs.updated', (update) => {
    if (update.kind === 'demo') setJob(update);
  });

  if (!status.data?.available && !job) return null;
  const running = job !== null && (job.state === 'running' || job.state === 'queued');

  const load = () => {
    api.call('demo.load', {}).then(setJob, (err: unknown) => notify.reportError('Loading the demo', err));
  };

  return (
    <Paper variant="outlined" sx={{ m: 3, p: 3, maxWidth: 640 }} role="region" aria-label="Demo">
      <Typography variant="h6" component="h2" gutterBottom>
        New here? Load the demo
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Nine synthetic brain MR studies (three with lesions), a stand-in backbone and a small model trained on the
        demo&apos;s normal studies: a scored worklist with anomaly overlays in about two minutes. The stand-in backbone
        is not for clinical use.
      </Typography>
      {job?.state === 'failed' && (
        <Alert severity="error" sx={{ mb: 2 }}>
          The demo could not load: {job.error?.message ?? 'unknown error'}
        </Alert>
      )}
      {running ? (
        <Box aria-live="polite">
          <Typography variant="body2" sx={{ mb: 1 }}>
            {job.message || 'Starting…'}
          </Typography>
          <LinearProgress
            variant={job.progress === null ? 'indeterminate' : 'determinate'}
            value={(job.progress ?? 0) * 100}
            aria-label="Demo loading progress"
          />
        </Box>
      ) : (
        job?.state !== 'succeeded' && (
          <Button variant="contained" onClick={load}>
            Load the demo
          </Button>
        )
      )}
    </Paper>
  );
}
