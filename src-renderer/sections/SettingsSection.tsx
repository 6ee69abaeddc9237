/**
 * Settings, loaded with settings.get and saved with settings.update. The host
 * validates; its errors are shown on the fields they name and in words above.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import type { Settings } from '../../src-main/api/contract';
import { useApi, useResource } from '../api/hooks';
import { toNormscopeError } from '../api/error-value';
import { useNotifier } from '../components/Notifications';
import { PacsSettingsPanel } from '../pacs/PacsSettingsPanel';
import { draftFrom, fieldErrorsFrom, isDirty, patchFrom } from '../settings/settings-form';
import type { FieldErrors, SettingsDraft } from '../settings/settings-form';
import { useAppStatus } from '../status/AppStatusProvider';
import { availableProvidersText, providerLabel } from '../status/labels';
import { SectionPage } from './SectionPage';

const PROVIDER_CHOICES: { value: Settings['provider']; label: string }[] = [
  { value: 'auto', label: 'Automatic (fastest available)' },
  { value: 'cuda', label: 'CUDA (NVIDIA GPU)' },
  { value: 'dml', label: 'DirectML (Windows GPU)' },
  { value: 'coreml', label: 'Core ML (Apple)' },
  { value: 'cpu', label: 'CPU' },
];

function ChoiceGroup<T extends string>(props: {
  label: string;
  value: T;
  choices: { value: T; label: string; detail: string }[];
  error?: string;
  onChange(value: T): void;
}) {
  const labelId = useId();
  return (
    <FormControl error={Boolean(props.error)}>
      <FormLabel id={labelId}>{props.label}</FormLabel>
      <RadioGroup aria-labelledby={labelId} value={props.value} onChange={(_e, value) => props.onChange(value as T)}>
        {props.choices.map((choice) => (
          <FormControlLabel
            key={choice.value}
            value={choice.value}
            control={<Radio size="small" />}
            label={
              <span>
                {choice.label}
                <Box component="span" sx={{ display: 'block', color: 'text.secondary', fontSize: '0.8rem' }}>
                  {choice.detail}
                </Box>
              </span>
            }
            sx={{ alignItems: 'flex-start', my: 0.5, '& .MuiRadio-root': { pt: 0.25 } }}
          />
        ))}
      </RadioGroup>
      {props.error && <FormHelperText>{props.error}</FormHelperText>}
    </FormControl>
  );
}

function SettingsForm({ saved, onSaved }: { saved: Settings; onSaved(settings: Settings): void }) {
  const api = useApi();
  const { notify } = useNotifier();
  const status = useAppStatus();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(saved));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const providerLabelId = useId();

  const edit = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setFieldErrors((errors) => ({ ...errors, [key]: undefined }));
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { patch, errors } = patchFrom(saved, draft);
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    try {
      const updated = await api.call('settings.update', patch);
      onSaved(updated);
      setDraft(draftFrom(updated));
      status.reload();
      notify('Settings saved.');
    } catch (reason) {
      const error = toNormscopeError(reason);
      setFieldErrors(fieldErrorsFrom(error.details));
      setFormError(`${error.name === 'InvalidRequest' ? 'Not saved' : 'Saving failed'}: ${error.message}`);
    } finally {
      setSaving(false);
    }
  };

  const revert = () => {
    setDraft(draftFrom(saved));
    setFieldErrors({});
    setFormError(null);
  };

  const providerNow = status.data
    ? `Running on ${providerLabel(status.data.provider.active)} now. ${availableProvidersText(status.data.provider.available)}.`
    : '';

  return (
    <Box component="form" onSubmit={save} aria-label="Settings" noValidate>
      <Stack spacing={3} sx={{ maxWidth: 640 }}>
        {formError && (
          <Alert severity="error" role="alert">
            {formError}
          </Alert>
        )}
        <ChoiceGroup
          label="Import mode"
          value={draft.importMode}
          error={fieldErrors.importMode}
          onChange={(value) => edit('importMode', value)}
          choices={[
            { value: 'copy', label: 'Copy into the data directory', detail: 'Studies stay readable if the source folder moves or is deleted.' },
            { value: 'reference', label: 'Reference files where they are', detail: 'Saves disk space; the source folder must stay in place.' },
          ]}
        />
        <ChoiceGroup
          label="Intensity window for the backbone"
          value={draft.intensityWindow}
          error={fieldErrors.intensityWindow}
          onChange={(value) => edit('intensityWindow', value)}
          choices={[
            { value: 'percentile', label: 'Percentiles of each image', detail: 'Robust when headers carry no useful window.' },
            { value: 'header', label: 'Window centre/width from the DICOM header', detail: "Follows the modality's stored presets." },
          ]}
        />
        <FormControl error={Boolean(fieldErrors.provider)} sx={{ maxWidth: 360 }} fullWidth>
          <InputLabel id={providerLabelId}>Execution provider</InputLabel>
          <Select
            labelId={providerLabelId}
            label="Execution provider"
            value={draft.provider}
            onChange={(event) => edit('provider', event.target.value as Settings['provider'])}
          >
            {PROVIDER_CHOICES.map((choice) => (
              <MenuItem key={choice.value} value={choice.value}>
                {choice.label}
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>{fieldErrors.provider ?? providerNow}</FormHelperText>
        </FormControl>
        <TextField
          label="CPU threads"
          type="number"
          value={draft.threads}
          onChange={(event) => edit('threads', event.target.value)}
          error={Boolean(fieldErrors.threads)}
          helperText={fieldErrors.threads ?? 'Threads for ONNX Runtime on the CPU; 0 lets it decide.'}
          slotProps={{ htmlInput: { min: 0, step: 1 } }}
          sx={{ maxWidth: 360 }}
          fullWidth
        />
        <Box sx={{ display: 'flex', gap: 1 }}>
          <Button type="submit" variant="contained" disabled={saving || !isDirty(saved, draft)}>
            {saving ? 'Saving…' : 'Save settings'}
          </Button>
          <Button type="button" color="inherit" onClick={revert} disabled={saving || !isDirty(saved, draft)}>
            Revert
          </Button>
        </Box>
      </Stack>
    </Box>
  );
}

export function SettingsSection() {
  // after a reconnect the form keeps unsaved edits and compares them with what the host now holds
  const { data, error, replace } = useResource('settings.get', {});

  return (
    <SectionPage title="Settings" summary="How studies are imported and how the anomaly model runs on this workstation.">
      {error && !data && <Alert severity="error">Could not load the settings: {error.message}</Alert>}
      {data && <SettingsForm saved={data} onSaved={replace} />}
      <PacsSettingsPanel />
    </SectionPage>
  );
}
