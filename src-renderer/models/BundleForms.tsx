/**
 * Moving a model between workstations: export a version (with its thresholds
 * and provenance) to one bundle file, or import one. Paths are on the
 * machine that runs Normscope's host.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import type { ModelVersionInfo } from '../../src-main/api/contract';
import { useApi } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { useReviewSession } from '../review/session';

export function BundleForms({ versions, onImported }: { versions: readonly ModelVersionInfo[]; onImported(): void }) {
  const api = useApi();
  const { notify, reportError } = useNotifier();
  const [exportId, setExportId] = useState('');
  const [out, setOut] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [file, setFile] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = exportId || versions.at(-1)?.id || '';
  const reviewerId = useReviewSession().reviewer?.id;
  const actor = reviewerId ? { reviewerId } : {};

  const doExport = async () => {
    setBusy(true);
    try {
      const written = await api.call('models.export', { id: chosen, out, overwrite, ...actor });
      notify(`Exported to ${written.path}`);
    } catch (error) {
      reportError('Exporting the model', error);
    } finally {
      setBusy(false);
    }
  };
  const doImport = async () => {
    setBusy(true);
    try {
      const model = await api.call('models.import', { file, ...actor });
      notify(`Imported ${model.name}`);
      onImported();
    } catch (error) {
      reportError('Importing the bundle', error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField select label="Version to export" value={chosen} onChange={(e) => setExportId(e.target.value)} sx={{ minWidth: 260 }} disabled={versions.length === 0}>
          {versions.map((v) => (
            <MenuItem key={v.id} value={v.id}>
              {v.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Bundle file" placeholder="/path/to/model.nsmodel" value={out} onChange={(e) => setOut(e.target.value)} sx={{ minWidth: 320 }} />
        <FormControlLabel control={<Checkbox checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />} label="Replace an existing file" />
        <Button variant="outlined" onClick={() => void doExport()} disabled={busy || !chosen || !out.trim()}>
          Export
        </Button>
      </Box>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField label="Bundle to import" placeholder="/path/to/model.nsmodel" value={file} onChange={(e) => setFile(e.target.value)} sx={{ minWidth: 420 }} />
        <Button variant="outlined" onClick={() => void doImport()} disabled={busy || !file.trim()}>
          Import
        </Button>
      </Box>
    </Box>
  );
}
