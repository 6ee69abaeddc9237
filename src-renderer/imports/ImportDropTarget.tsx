/**
 * Files and folders dropped anywhere on the window are imported: an overlay
 * says so while they are dragged over it, and the import dialog opens on the
 * job's progress. Also renders the import dialog itself, once per window.
 */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import { useNotifier } from '../components/Notifications';
import { droppedFiles, carriesFiles } from './dropped-files';
import { ImportDialog } from './ImportDialog';
import { openImportDialog } from './import-state';
import { useImportStarter } from './start-import';
import { pathsOfFiles } from './upload';

export function ImportDropTarget() {
  const starter = useImportStarter();
  const notifier = useNotifier();
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every element crossed: count them to know when the drag left the window
  const depth = useRef(0);
  const latest = useRef({ starter, notifier });
  latest.current = { starter, notifier };

  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      depth.current += 1;
      setDragging(true);
    };
    const over = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const leave = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer) || !event.dataTransfer) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      const transfer = event.dataTransfer;
      const { starter: start, notifier: notify } = latest.current;
      const top = [...transfer.files];
      // a browser's folder walk must begin here: the drop's data is gone once this handler returns
      const walk = pathsOfFiles(top) === null ? droppedFiles(transfer) : Promise.resolve([]);
      const started = start.fromFiles(top, () => walk);
      started.then(
        (job) => openImportDialog(job.id),
        (err: unknown) => notify.reportError('Importing the dropped files', err),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      {dragging && (
        <Box
          aria-hidden
          sx={{
            position: 'fixed',
            inset: 8,
            zIndex: (theme) => theme.zIndex.modal + 1,
            border: '2px dashed',
            borderColor: 'primary.main',
            borderRadius: 2,
            bgcolor: 'rgba(16, 24, 32, 0.82)',
            display: 'grid',
            placeItems: 'center',
            pointerEvents: 'none',
          }}
        >
          <Typography variant="h6">
            Drop DICOM files, folders, zip archives or a DICOMDIR to import them
          </Typography>
        </Box>
      )}
      <ImportDialog />
    </>
  );
}
