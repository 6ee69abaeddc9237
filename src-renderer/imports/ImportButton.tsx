/** The Worklist header's Import button: opens the import dialog. */
import Button from '@mui/material/Button';
import { openImportDialog } from './import-state';

export function ImportButton() {
  return (
    <Button variant="contained" onClick={() => openImportDialog()}>
      Import…
    </Button>
  );
}
