/**
 * The import dialog: choose files or a folder, or type paths on the computer
 * running Normscope; then the job's progress (files done of total, rate), a
 * Cancel button, and once it ends what was imported and every file that was
 * not, with the reason. Closing the dialog leaves the job running in the tray.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent } from 'react';
import type { ImportErrorInfo, JobInfo } from '../../src-main/api/contract';
import { useApi, useEvent } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { closeImportDialog, openImportDialog, useImportDialog } from './import-state';
import { useImportStarter } from './start-import';

const ENDED: ReadonlySet<JobInfo['state']> = new Set(['succeeded', 'failed', 'cancelled']);
/** errors listed in the dialog; the rest are counted */
const ERRORS_SHOWN = 200;

function ImportForm() {
  const starter = useImportStarter();
  const notifier = useNotifier();
  const [paths, setPaths] = useState('');
  const [busy, setBusy] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const start = async (begin: () => Promise<JobInfo>) => {
    setBusy(true);
    try {
      openImportDialog((await begin()).id);
    } catch (err) {
      notifier.reportError('Starting the import', err);
    } finally {
      setBusy(false);
    }
  };

  const chosen = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    if (files.length === 0) return;
    // webkitRelativePath keeps a chosen folder's structure in the names
    void start(() =>
      starter.fromFiles(files, () =>
        Promise.resolve(
          files.map((file) => ({ name: file.webkitRelativePath || file.name, file })),
        ),
      ),
    );
  };

  const typed = paths
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

  return (
    <>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          DICOM files, folders, zip archives and DICOMDIRs. Drop them anywhere on the window, choose
          them here, or type their paths. Studies already imported are skipped.
        </Typography>
        <Box sx={{ display: 'flex', gap: 1, mb: 2 }}>
          <Button variant="outlined" disabled={busy} onClick={() => filesInput.current?.click()}>
            Choose files…
          </Button>
          <Button variant="outlined" disabled={busy} onClick={() => folderInput.current?.click()}>
            Choose folder…
          </Button>
          <input
            ref={filesInput}
            type="file"
            multiple
            hidden
            onChange={chosen}
            aria-label="DICOM files or zip archives"
          />
          <input
            ref={(el) => {
              folderInput.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            hidden
            onChange={chosen}
            aria-label="A folder of DICOM files"
          />
        </Box>
        <TextField
          label="Paths on the computer running Normscope"
          placeholder={'/media/cdrom/DICOMDIR\n/home/me/studies/ct-2024.zip'}
          helperText="One per line: files, folders, zip archives or DICOMDIRs"
          multiline
          minRows={3}
          fullWidth
          value={paths}
          onChange={(event) => setPaths(event.target.value)}
          slotProps={{ htmlInput: { spellCheck: false, 'aria-label': 'Paths to import' } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={closeImportDialog}>Close</Button>
        <Button
          variant="contained"
          disabled={busy || typed.length === 0}
          onClick={() => void start(() => starter.fromPaths(typed))}
        >
          Import
        </Button>
      </DialogActions>
    </>
  );
}

function ImportProgressView({ jobId }: { jobId: string }) {
  const api = useApi();
  const notifier = useNotifier();
  const [job, setJob] = useState<JobInfo | null>(null);
  const [errors, setErrors] = useState<ImportErrorInfo[] | null>(null);

  useEffect(() => {
    let current = true;
    void api.call('jobs.list', {}).then((jobs) => {
      const found = jobs.find((j) => j.id === jobId);
      if (current && found) setJob((seen) => seen ?? found);
    });
    return () => {
      current = false;
    };
  }, [api, jobId]);
  useEvent('jobs.updated', (update) => {
    if (update.id === jobId) setJob(update);
  });
  const ended = job !== null && ENDED.has(job.state);
  useEffect(() => {
    if (!ended) return;
    let current = true;
    api.call('imports.errors', { jobId }).then(
      (list) => current && setErrors(list),
      (err: unknown) => notifier.reportError('Reading the import errors', err),
    );
    return () => {
      current = false;
    };
  }, [api, jobId, ended, notifier]);

  const cancel = () =>
    api
      .call('jobs.cancel', { jobId })
      .catch((err: unknown) => notifier.reportError('Cancelling the import', err));

  return (
    <>
      <DialogContent>
        <Typography variant="subtitle2" sx={{ mb: 1 }}>
          {job?.title ?? 'Import'}
        </Typography>
        <LinearProgress
          variant={job?.progress === null || job === null ? 'indeterminate' : 'determinate'}
          value={Math.round((job?.progress ?? 0) * 100)}
          aria-label="Import progress"
        />
        <Typography role="status" variant="body2" sx={{ mt: 1 }}>
          {job === null
            ? 'Starting…'
            : job.state === 'failed'
              ? `The import failed: ${job.error?.message ?? job.message}`
              : job.state === 'cancelled'
                ? 'Cancelled. What was imported before stays; import again to continue.'
                : job.message}
        </Typography>
        {errors !== null && errors.length > 0 && (
          <Box sx={{ mt: 2 }}>
            <Typography variant="subtitle2" color="warning.main">
              {errors.length} file{errors.length === 1 ? '' : 's'} could not be imported
            </Typography>
            <Box
              component="ul"
              aria-label="Files that could not be imported"
              sx={{
                maxHeight: 220,
                overflow: 'auto',
                m: 0,
                mt: 1,
                pl: 2,
                fontSize: 12,
                fontFamily: 'monospace',
              }}
            >
              {errors.slice(0, ERRORS_SHOWN).map((error, i) => (
                <li key={i}>{error.reason}</li>
              ))}
              {errors.length > ERRORS_SHOWN && <li>… and {errors.length - ERRORS_SHOWN} more</li>}
            </Box>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {!ended && <Button onClick={() => void cancel()}>Cancel import</Button>}
        {ended && <Button onClick={() => openImportDialog()}>Import more…</Button>}
        <Button variant="contained" onClick={closeImportDialog}>
          {ended ? 'Done' : 'Hide'}
        </Button>
      </DialogActions>
    </>
  );
}

export function ImportDialog() {
  const { open, jobId } = useImportDialog();
  return (
    <Dialog
      open={open}
      onClose={closeImportDialog}
      fullWidth
      maxWidth="sm"
      aria-labelledby="import-dialog-title"
    >
      <DialogTitle id="import-dialog-title">Import DICOM</DialogTitle>
      {jobId ? <ImportProgressView key={jobId} jobId={jobId} /> : <ImportForm />}
    </Dialog>
  );
}
