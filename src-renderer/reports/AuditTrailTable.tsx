/** The newest audit entries, page by page (audit.list): who did what, to which objects, when. */
import Button from '@mui/material/Button';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { AuditEntryView } from '../../src-main/api/contract';
import { useApi } from '../api/hooks';
import { useNotifier } from '../components/Notifications';

const PAGE = 15;

/** `{ studyUid: "1.2.3", verdictId: 4 }` -> `studyUid 1.2.3, verdictId 4` */
function describeIds(ids: Record<string, unknown>): string {
  return Object.entries(ids)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');
}

/** `refresh` changes whenever the trail may have grown (the chain was checked again). */
export function AuditTrailTable({ refresh }: { refresh: unknown }) {
  const api = useApi();
  const { reportError } = useNotifier();
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<number | null>(null);

  useEffect(() => {
    let current = true;
    api.call('audit.list', { limit: PAGE }).then(
      (page) => {
        if (!current) return;
        setEntries(page.entries);
        setTotal(page.total);
        setNext(page.nextBeforeSeq);
      },
      (err: unknown) => reportError('Reading the audit trail', err),
    );
    return () => {
      current = false;
    };
  }, [api, refresh, reportError]);

  const older = () => {
    if (next === null) return;
    api.call('audit.list', { limit: PAGE, beforeSeq: next }).then(
      (page) => {
        setEntries((shown) => [...shown, ...page.entries]);
        setNext(page.nextBeforeSeq);
      },
      (err: unknown) => reportError('Reading the audit trail', err),
    );
  };

  if (total === 0)
    return <Typography color="text.secondary">The audit trail has no entries yet.</Typography>;
  return (
    <>
      <Table size="small" aria-label="Audit trail">
        <TableHead>
          <TableRow>
            <TableCell>#</TableCell>
            <TableCell>Time (UTC)</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Action</TableCell>
            <TableCell>Objects</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((entry) => (
            <TableRow key={entry.seq}>
              <TableCell>{entry.seq}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>
                {entry.time.replace('T', ' ').slice(0, 19)}
              </TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{entry.actor}</TableCell>
              <TableCell
                sx={{
                  fontWeight: entry.action === 'refused' ? 700 : undefined,
                  whiteSpace: 'nowrap',
                }}
              >
                {entry.action}
              </TableCell>
              <TableCell
                sx={{ fontFamily: 'monospace', fontSize: '0.75rem', wordBreak: 'break-all' }}
              >
                {describeIds(entry.objectIds)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {entries.length} of {total} entries shown.{' '}
        {next !== null && (
          <Button size="small" onClick={older}>
            Show older
          </Button>
        )}
      </Typography>
    </>
  );
}
