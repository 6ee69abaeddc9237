/** The recipe and model fields of the Training page, pre-filled with the paper's defaults. */
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { ArMode, DraftErrors, TrainingDraft } from './training-form';

const MODES: { value: ArMode; label: string }[] = [
  { value: 'bidirectional', label: 'Bidirectional (paper default)' },
  { value: 'causal', label: 'Causal (raster order)' },
  { value: 'standard', label: 'Standard (no mask; ablation)' },
];

type TextKey =
  'epochs' | 'batchSize' | 'lr' | 'warmupSteps' | 'seed' | 'dilations' | 'validationShare' | 'name';

const FIELDS: { key: TextKey; label: string; help: string; width: number }[] = [
  { key: 'epochs', label: 'Epochs', help: 'paper: 40', width: 110 },
  { key: 'batchSize', label: 'Batch size', help: 'paper: 64', width: 110 },
  { key: 'lr', label: 'Learning rate', help: 'AdamW; paper: 0.001', width: 140 },
  {
    key: 'warmupSteps',
    label: 'Warm-up steps',
    help: '0 = none (paper); a warm-up trains more stably',
    width: 150,
  },
  { key: 'seed', label: 'Seed', help: 'weights, order, noise, split', width: 110 },
  {
    key: 'dilations',
    label: 'Dilations',
    help: '4,4,4,4 paper; 1,2,4,8 strict blind spot',
    width: 190,
  },
  {
    key: 'validationShare',
    label: 'Validation share',
    help: 'of normal studies, by study',
    width: 150,
  },
];

export function RecipeFields({
  draft,
  errors,
  onChange,
}: {
  draft: TrainingDraft;
  errors: DraftErrors;
  onChange(patch: Partial<TrainingDraft>): void;
}) {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'flex-start' }}>
      <TextField
        select
        label="Mode"
        value={draft.mode}
        onChange={(e) => onChange({ mode: e.target.value as ArMode })}
        sx={{ width: 260 }}
        helperText="which neighbours predict a patch"
      >
        {MODES.map((m) => (
          <MenuItem key={m.value} value={m.value}>
            {m.label}
          </MenuItem>
        ))}
      </TextField>
      <Box sx={{ width: 300 }}>
        <FormControlLabel
          control={
            <Checkbox
              checked={draft.mode === 'causal' && draft.flipped}
              disabled={draft.mode !== 'causal'}
              onChange={(e) => onChange({ flipped: e.target.checked })}
            />
          }
          label="Also train a flipped partner (maps averaged)"
        />
        <FormHelperText sx={{ mt: 0 }}>
          {draft.mode === 'causal'
            ? 'A second causal model reads the grid in reverse order (seed + 1); training takes twice as long'
            : 'Causal mode only'}
        </FormHelperText>
      </Box>
      {FIELDS.map((f) => (
        <TextField
          key={f.key}
          label={f.label}
          value={draft[f.key]}
          onChange={(e) => onChange({ [f.key]: e.target.value })}
          error={Boolean(errors[f.key])}
          helperText={errors[f.key] ?? f.help}
          sx={{ width: f.width }}
          slotProps={{ htmlInput: { inputMode: f.key === 'dilations' ? 'text' : 'decimal' } }}
        />
      ))}
      <TextField
        label="Model name (optional)"
        value={draft.name}
        onChange={(e) => onChange({ name: e.target.value })}
        helperText="default: mode, dilations and date"
        sx={{ width: 260 }}
      />
    </Box>
  );
}
