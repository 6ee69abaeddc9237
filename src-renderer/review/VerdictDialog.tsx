/**
 * Recording a verdict: opened with N, A or U (the value preselected), the
 * comment focused; Enter saves, Ctrl+Enter saves and opens the next study.
 * The region marks drawn on the images are saved with it. The study's
 * verdict history is listed (a new verdict supersedes, nothing is lost).
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { RegionMark, VerdictValue, VerdictView } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi } from '../api/hooks';

export function VerdictDialog({
  studyUid,
  reviewerId,
  reviewerName,
  initial,
  marks,
  history,
  onSaved,
  onClose,
}: {
  studyUid: string;
  reviewerId: string;
  reviewerName: string;
  initial: VerdictValue;
  marks: RegionMark[];
  history: VerdictView[];
  onSaved: (verdict: VerdictView, next: boolean) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const [value, setValue] = useState<VerdictValue>(initial);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async (next: boolean) => {
    setSaving(true);
    try {
      const verdict = await api.call('review.verdict', { studyUid, reviewerId, verdict: value, comment, regionMarks: marks });
      onSaved(verdict, next);
    } catch (err) {
      setError(toNormscopeError(err).message);
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="verdict-title">
      <DialogTitle id="verdict-title">Verdict · read by {reviewerName}</DialogTitle>
      <DialogContent dividers>
        <ToggleButtonGroup
          exclusive
          value={value}
          onChange={(_e, v: VerdictValue | null) => v && setValue(v)}
          aria-label="Verdict"
          sx={{ mb: 1.5 }}
        >
          <ToggleButton value="normal" color="success">Normal (N)</ToggleButton>
          <ToggleButton value="abnormal" color="error">Abnormal (A)</ToggleButton>
          <ToggleButton value="uncertain" color="info">Uncertain (U)</ToggleButton>
        </ToggleButtonGroup>
        <TextField
          label="Comment"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void save(e.ctrlKey || e.metaKey);
            }
          }}
          multiline
          minRows={2}
          fullWidth
          autoFocus
          helperText="Enter saves · Ctrl+Enter saves and opens the next study · Shift+Enter new line"
        />
        <Typography variant="body2" sx={{ mt: 1 }}>
          {marks.length === 0
            ? 'No region marks.'
            : `${marks.length} region mark(s): ${marks.filter((m) => m.label === 'confirms-anomaly').length} confirming an anomaly, ${marks.filter((m) => m.label === 'false-positive').length} false positive.`}
        </Typography>
        {history.length > 0 && (
          <Box sx={{ mt: 1.5 }}>
            <Typography variant="caption" color="text.secondary">History (a new verdict supersedes the current one)</Typography>
            <Box component="ol" sx={{ m: 0, pl: 2.5, fontSize: 12.5 }}>
              {history.map((v) => (
                <li key={v.id}>
                  {v.createdAt.replace('T', ' ').slice(0, 16)} · {v.reviewerName} · <b>{v.verdict}</b>
                  {v.comment ? ` · “${v.comment}”` : ''}
                  {v.regionMarks.length ? ` · ${v.regionMarks.length} mark(s)` : ''}
                </li>
              ))}
            </Box>
          </Box>
        )}
        {error && <Alert severity="error" sx={{ mt: 1 }}>{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button onClick={() => void save(true)} disabled={saving}>
          Save and next
        </Button>
        <Button variant="contained" onClick={() => void save(false)} disabled={saving}>
          Save verdict
        </Button>
      </DialogActions>
    </Dialog>
  );
}
