/**
 * Who is reading: chosen at the start of a session, from the reviewers of this
 * data directory or a new one. Every verdict and threshold is recorded under
 * this name.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { toNormscopeError } from '../api/error-value';
import { useApi, useResource } from '../api/hooks';
import { setReviewer } from './session';

export function ReviewerDialog({ open, onClose }: { open: boolean; onClose?: () => void }) {
  const api = useApi();
  const reviewers = useResource('review.reviewers', {});
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    try {
      const reviewer = await api.call('review.createReviewer', { name: name.trim() });
      setReviewer(reviewer);
      onClose?.();
    } catch (err) {
      setError(toNormscopeError(err).message);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="reviewer-title" maxWidth="xs" fullWidth>
      <DialogTitle id="reviewer-title">Who is reading?</DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Verdicts and thresholds are recorded under the reviewer chosen here.
        </Typography>
        {reviewers.data && reviewers.data.length > 0 && (
          <List dense aria-label="Reviewers" sx={{ mb: 1 }}>
            {reviewers.data.map((reviewer, index) => (
              <ListItemButton
                key={reviewer.id}
                autoFocus={index === 0}
                onClick={() => {
                  setReviewer(reviewer);
                  onClose?.();
                }}
              >
                <ListItemText primary={reviewer.name} />
              </ListItemButton>
            ))}
          </List>
        )}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim()) void create();
          }}
        >
          <TextField
            label="New reviewer"
            value={name}
            onChange={(event) => setName(event.target.value)}
            fullWidth
            autoFocus={!reviewers.data?.length}
            slotProps={{ htmlInput: { 'aria-label': 'New reviewer name' } }}
          />
        </form>
        {error && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        {onClose && <Button onClick={onClose}>Cancel</Button>}
        <Button variant="contained" disabled={!name.trim()} onClick={() => void create()}>
          Add and start reading
        </Button>
      </DialogActions>
    </Dialog>
  );
}
