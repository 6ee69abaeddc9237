/**
 * Audit reports: a period, optional reviewer and model filters, the
 * de-identification switch and where the files go; the report is made as a
 * job (progress in place and in the job tray), and its files, content hash
 * and audit chain state are shown when it is done. Existing files are only
 * replaced after the user confirms it.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { JobInfo, ReportResult } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useEvent, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { AuditChainChip } from '../reports/AuditChainChip';
import { AuditTrailTable } from '../reports/AuditTrailTable';
import type { ReportForm } from '../reports/report-form';
import { defaultPaths, formatBytes, initialForm, reportRequest } from '../reports/report-form';
import { useAuditChain } from '../reports/useAuditChain';
import { SectionPage } from './SectionPage';

function Heading({ children }: { children: string }) {
  return (
    <Typography variant="h2" component="h2" sx={{ fontSize: '1.2rem', mt: 3, mb: 1 }}>
      {children}
    </Typography>
  );
}

function ResultTable({ result }: { result: ReportResult }) {
  return (
    <Table size="small" aria-label="Report result">
      <TableBody>
        {result.files.map((file) => (
          <TableRow key={file.path}>
            <TableCell component="th" scope="row" sx={{ fontWeight: 600, width: 160 }}>
              {file.kind.toUpperCase()}
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {file.path}
            </TableCell>
            <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
              {formatBytes(file.bytes)}
            </TableCell>
          </TableRow>
        ))}
        <TableRow>
          <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
            Content sha256
          </TableCell>
          <TableCell colSpan={2} sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {result.contentSha256}
          </TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
            Contents
          </TableCell>
          <TableCell colSpan={2}>
            {result.studies} studies, {result.keyImages} key images
            {result.keyImageProblems > 0
              ? `, ${result.keyImageProblems} key images could not be drawn (listed in the report)`
              : ''}
            {result.deidentified ? ', de-identified' : ''}
          </TableCell>
        </TableRow>
        <TableRow>
          <TableCell component="th" scope="row" sx={{ fontWeight: 600 }}>
            Audit chain
          </TableCell>
          <TableCell colSpan={2} sx={{ color: result.audit.ok ? 'success.main' : 'error.main' }}>
            {result.audit.summary}
          </TableCell>
        </TableRow>
      </TableBody>
    </Table>
  );
}

export function ReportsSection() {
  const api = useApi();
  const { reportError } = useNotifier();
  const options = useResource('reports.options', {});
  const chain = useAuditChain();
  const [form, setForm] = useState<ReportForm | null>(null);
  const [job, setJob] = useState<JobInfo | null>(null);
  const [result, setResult] = useState<ReportResult | null>(null);
  const [existing, setExisting] = useState<string[] | null>(null);
  const [starting, setStarting] = useState(false);
  const outcome = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (job?.state === 'succeeded' || job?.state === 'failed')
      outcome.current?.scrollIntoView({ block: 'nearest' });
  }, [job?.state, result]);

  useEffect(() => {
    if (options.data && form === null) setForm(initialForm(options.data.outputDir));
  }, [options.data, form]);

  useEvent('jobs.updated', (update) => {
    if (!job || update.id !== job.id) return;
    setJob(update);
    if (update.state === 'succeeded') {
      api
        .call('reports.result', { jobId: update.id })
        .then(setResult, (err: unknown) => reportError('Reading the report result', err));
    }
  });

  if (!form || !options.data) {
    return (
      <SectionPage
        title="Reports"
        summary="Audit reports of reviews, verdicts and model performance."
      >
        {options.error ? (
          <Alert severity="error">{options.error.message}</Alert>
        ) : (
          <LinearProgress aria-label="Loading" />
        )}
      </SectionPage>
    );
  }

  const outputDir = options.data.outputDir;
  const update = (patch: Partial<ReportForm>) => {
    setForm((current) => {
      const next = { ...current!, ...patch };
      return next.pathsEdited
        ? next
        : { ...next, ...defaultPaths(outputDir, next.from, next.to, next.deidentify) };
    });
  };
  const running = job !== null && (job.state === 'queued' || job.state === 'running');

  const generate = async (overwrite: boolean) => {
    setStarting(true);
    setExisting(null);
    setResult(null);
    try {
      const started = await api.call('reports.generate', reportRequest(form, overwrite));
      setJob({
        id: started.jobId,
        kind: 'export',
        title: 'Audit report',
        state: 'queued',
        progress: null,
        message: 'Queued',
        error: null,
        pausable: false,
        createdAt: '',
        updatedAt: '',
      });
    } catch (err) {
      const error = toNormscopeError(err);
      const files = (error.details as { existing?: unknown } | undefined)?.existing;
      if (error.name === 'Conflict' && Array.isArray(files)) setExisting(files.map(String));
      else reportError('Starting the report', error);
    } finally {
      setStarting(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void generate(false);
  };

  return (
    <SectionPage
      title="Reports"
      summary="Who saw what, which model and threshold flagged it, what the reviewer decided, and whether the audit trail is intact: as PDF for people, CSV and JSON for systems."
    >
      <Stack direction="row" spacing={1} sx={{ mb: 2, alignItems: 'center' }}>
        <AuditChainChip status={chain.data} error={chain.error} />
        <Button size="small" onClick={chain.reload} disabled={chain.loading}>
          Verify again
        </Button>
      </Stack>
      {chain.data && !chain.data.ok && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {chain.data.summary}. Reports made now say so on their first page.
        </Alert>
      )}

      <Box
        component="form"
        aria-label="Report"
        onSubmit={submit}
        sx={{ display: 'grid', gap: 2, maxWidth: 760 }}
      >
        <Heading>Scope</Heading>
        <Stack direction="row" spacing={2}>
          <TextField
            label="From"
            type="date"
            value={form.from}
            onChange={(e) => update({ from: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
            required
          />
          <TextField
            label="To"
            type="date"
            value={form.to}
            onChange={(e) => update({ to: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
            required
          />
        </Stack>
        <Stack direction="row" spacing={2}>
          <TextField
            select
            label="Reviewer"
            value={form.reviewer}
            onChange={(e) => update({ reviewer: e.target.value })}
            slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
            sx={{ minWidth: 220 }}
          >
            <MenuItem value="">All reviewers</MenuItem>
            {options.data.reviewers.map((name) => (
              <MenuItem key={name} value={name}>
                {name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            label="Model version"
            value={form.modelVersion}
            onChange={(e) => update({ modelVersion: e.target.value })}
            slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
            sx={{ minWidth: 220 }}
          >
            <MenuItem value="">All model versions</MenuItem>
            {options.data.modelVersions.map((m) => (
              <MenuItem key={m.id} value={m.id}>
                {m.name}
              </MenuItem>
            ))}
          </TextField>
        </Stack>
        <FormControlLabel
          control={
            <Switch
              checked={form.deidentify}
              onChange={(e) => update({ deidentify: e.target.checked })}
            />
          }
          label="De-identify (DICOM PS3.15 basic profile: pseudonyms for patients and reviewers, shifted dates, new UIDs)"
        />

        <Heading>Files</Heading>
        <TextField
          label="PDF"
          value={form.pdfPath}
          onChange={(e) => update({ pdfPath: e.target.value, pathsEdited: true })}
          required
          fullWidth
        />
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Checkbox
            checked={form.csv}
            onChange={(e) => update({ csv: e.target.checked })}
            slotProps={{ input: { 'aria-label': 'Also write CSV' } }}
          />
          <TextField
            label="CSV"
            value={form.csvPath}
            disabled={!form.csv}
            onChange={(e) => update({ csvPath: e.target.value, pathsEdited: true })}
            fullWidth
          />
        </Stack>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Checkbox
            checked={form.json}
            onChange={(e) => update({ json: e.target.checked })}
            slotProps={{ input: { 'aria-label': 'Also write JSON' } }}
          />
          <TextField
            label="JSON"
            value={form.jsonPath}
            disabled={!form.json}
            onChange={(e) => update({ jsonPath: e.target.value, pathsEdited: true })}
            fullWidth
          />
        </Stack>
        <Box>
          <Button type="submit" variant="contained" disabled={starting || running}>
            Generate report
          </Button>
        </Box>
      </Box>

      {job && (
        <Box ref={outcome} sx={{ mt: 3, maxWidth: 760 }} aria-live="polite">
          {running && (
            <>
              <Typography variant="body2">{job.message || 'Starting…'}</Typography>
              <LinearProgress
                aria-label="Report progress"
                variant={job.progress === null ? 'indeterminate' : 'determinate'}
                value={(job.progress ?? 0) * 100}
                sx={{ mt: 1 }}
              />
            </>
          )}
          {job.state === 'failed' && (
            <Alert severity="error">The report failed: {job.error?.message ?? job.message}</Alert>
          )}
          {job.state === 'cancelled' && <Alert severity="info">The report was cancelled.</Alert>}
          {job.state === 'succeeded' && result && (
            <>
              <Alert severity="success" sx={{ mb: 1 }}>
                Report written.
              </Alert>
              <ResultTable result={result} />
            </>
          )}
        </Box>
      )}

      <Box sx={{ mt: 4, maxWidth: 960 }}>
        <Heading>Audit trail</Heading>
        <AuditTrailTable refresh={chain.data} />
      </Box>

      <Dialog
        open={existing !== null}
        onClose={() => setExisting(null)}
        aria-labelledby="replace-title"
      >
        <DialogTitle id="replace-title">Replace existing files?</DialogTitle>
        <DialogContent>
          <DialogContentText component="div">
            These files already exist and would be replaced:
            <Box component="ul" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {(existing ?? []).map((path) => (
                <li key={path}>{path}</li>
              ))}
            </Box>
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setExisting(null)}>Keep them</Button>
          <Button color="warning" variant="contained" onClick={() => void generate(true)}>
            Replace
          </Button>
        </DialogActions>
      </Dialog>
    </SectionPage>
  );
}
