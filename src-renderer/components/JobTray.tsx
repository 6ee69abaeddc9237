/**
 * The job tray: a status-bar button counting the jobs still at work, opening
 * the list of jobs with their progress, messages and a cancel button.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Popover from '@mui/material/Popover';
import Typography from '@mui/material/Typography';
import { useId, useState } from 'react';
import type { JobInfo } from '../../src-main/api/contract';
import { actionsFor, activeCount, isActive } from '../jobs/job-list';
import { useJobs } from '../jobs/JobsProvider';
import type { JobAction } from '../jobs/job-list';
import { JobsIcon } from './icons';

const STATE_LABELS: Record<JobInfo['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const ACTION_LABELS: Record<JobAction, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel' };

function JobRow({ job, onAction }: { job: JobInfo; onAction(job: JobInfo, action: JobAction): void }) {
  const percent = job.progress === null ? null : Math.round(job.progress * 100);
  return (
    <ListItem divider sx={{ display: 'block', py: 1 }} aria-label={`${job.title}: ${STATE_LABELS[job.state]}`}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Typography variant="body2" sx={{ fontWeight: 600, flex: 1 }} noWrap>
          {job.title}
        </Typography>
        <Typography variant="caption" color={job.state === 'failed' ? 'error' : 'text.secondary'}>
          {STATE_LABELS[job.state]}
          {percent !== null && isActive(job) ? ` · ${percent}%` : ''}
        </Typography>
        {actionsFor(job).map((action) => (
          <Button
            key={action}
            color="inherit"
            variant="outlined"
            onClick={() => onAction(job, action)}
            aria-label={`${ACTION_LABELS[action]} ${job.title}`}
          >
            {ACTION_LABELS[action]}
          </Button>
        ))}
      </Box>
      {isActive(job) && (
        <LinearProgress
          sx={{ my: 0.75 }}
          variant={percent === null ? 'indeterminate' : 'determinate'}
          value={percent ?? undefined}
          aria-label={`Progress of ${job.title}`}
        />
      )}
      {job.message && (
        <Typography variant="caption" color="text.secondary" component="p">
          {job.message}
        </Typography>
      )}
      {job.error && (
        <Typography variant="caption" color="error" component="p">
          {job.error.name}: {job.error.message}
        </Typography>
      )}
    </ListItem>
  );
}

export function JobTray() {
  const { jobs, act } = useJobs();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const panelId = useId();
  const running = activeCount(jobs);
  const label = running === 1 ? '1 job running' : `${running} jobs running`;

  return (
    <>
      <Button
        color="inherit"
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="dialog"
        aria-expanded={anchor !== null}
        aria-controls={anchor ? panelId : undefined}
        aria-label={`Job tray: ${label}`}
        startIcon={<JobsIcon fontSize="small" color={running > 0 ? 'primary' : 'inherit'} />}
        sx={{ px: 1.5, minHeight: 28, flexShrink: 0, whiteSpace: 'nowrap' }}
      >
        {running === 0 ? 'Jobs' : label}
      </Button>
      <Popover
        id={panelId}
        open={anchor !== null}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'top', horizontal: 'right' }}
        transformOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        slotProps={{ paper: { role: 'dialog', 'aria-label': 'Jobs', sx: { width: 420, maxHeight: '60vh' } } }}
      >
        <Typography variant="h2" sx={{ px: 2, pt: 1.5, pb: 1 }}>
          Jobs
        </Typography>
        {jobs.length === 0 ? (
          <Typography variant="body2" color="text.secondary" sx={{ px: 2, pb: 2 }}>
            No jobs yet. Imports, scoring and training will show their progress here.
          </Typography>
        ) : (
          <List dense disablePadding>
            {jobs.map((job) => (
              <JobRow key={job.id} job={job} onAction={(j, action) => void act(j, action)} />
            ))}
          </List>
        )}
      </Popover>
    </>
  );
}
