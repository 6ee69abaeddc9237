/**
 * The worklist: every study with its anomaly score, flag, review status and
 * verdict, most anomalous first. Arrow keys move, Enter opens the viewer;
 * imports, scoring and verdicts refresh it live (`studies.changed`).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import InputAdornment from '@mui/material/InputAdornment';
import TableSortLabel from '@mui/material/TableSortLabel';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { WorklistEntry } from '../../src-main/api/contract';
import { useEvent, useResource } from '../api/hooks';
import { DemoOffer } from '../demo/DemoOffer';
import { ImportButton } from '../imports/ImportButton';
import { PacsQueryButton } from '../pacs/PacsQueryDialog';
import { ReviewerDialog } from '../review/ReviewerDialog';
import { ThresholdDialog } from '../review/ThresholdDialog';
import { openStudy, setWorklistOrder, useReviewSession } from '../review/session';
import { VerdictChip } from '../review/VerdictChip';
import { DEFAULT_SORT, FILTER_LABELS, formatDate, formatPersonName, visibleRows } from '../worklist/worklist-model';
import type { SortKey, SortOrder, WorklistFilter } from '../worklist/worklist-model';

const COLUMNS: ReadonlyArray<{ key: SortKey | null; label: string; width?: number; align?: 'right' }> = [
  { key: 'score', label: 'Score', width: 92, align: 'right' },
  { key: null, label: 'Flag', width: 72 },
  { key: 'patient', label: 'Patient' },
  { key: null, label: 'ID', width: 110 },
  { key: 'date', label: 'Date', width: 100 },
  { key: 'modality', label: 'Mod.', width: 60 },
  { key: 'description', label: 'Description' },
  { key: null, label: 'Images', width: 70, align: 'right' },
  { key: 'verdict', label: 'Verdict', width: 170 },
];

function ScoreCell({ row }: { row: WorklistEntry }) {
  if (row.score === null) return <Typography variant="body2" color="text.secondary">not scored</Typography>;
  return (
    <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: row.flagged ? 700 : 400 }}>
      {row.score.toFixed(3)}
    </Typography>
  );
}

function FlagCell({ row }: { row: WorklistEntry }) {
  if (row.flagged === null) return <Typography variant="caption" color="text.secondary" title={row.score === null ? 'not scored' : 'no threshold calibrated for this model'}>–</Typography>;
  return row.flagged ? (
    <Chip label="Flagged" color="warning" variant="filled" sx={{ height: 20, fontWeight: 700 }} />
  ) : (
    <Typography variant="caption" color="text.secondary">below</Typography>
  );
}

export function WorklistSection() {
  const worklist = useResource('studies.worklist', {});
  const session = useReviewSession();
  const [filter, setFilter] = useState<WorklistFilter>('all');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortOrder>(DEFAULT_SORT);
  const [selected, setSelected] = useState(0);
  const [choosingReviewer, setChoosingReviewer] = useState(false);
  const [tuning, setTuning] = useState(false);
  const tableRef = useRef<HTMLDivElement>(null);

  useEvent('studies.changed', () => worklist.reload());

  const rows = useMemo(() => visibleRows(worklist.data ?? [], { filter, search, sort }), [worklist.data, filter, search, sort]);
  useEffect(() => setWorklistOrder(rows.map((row) => row.studyUid)), [rows]);
  useEffect(() => {
    if (session.studyUid) {
      const at = rows.findIndex((row) => row.studyUid === session.studyUid);
      if (at >= 0) setSelected(at);
    }
  }, [rows, session.studyUid]);
  const current = Math.min(selected, Math.max(0, rows.length - 1));

  useEffect(() => {
    tableRef.current?.querySelector(`[data-row="${current}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  // a reader coming back from the viewer continues with the keyboard where they were
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (hasRows && (document.activeElement === document.body || document.activeElement === null)) tableRef.current?.focus();
  }, [hasRows]);

  const onKeyDown = (event: KeyboardEvent) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      setSelected(Math.max(0, Math.min(rows.length - 1, current + step)));
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      setSelected(event.key === 'Home' ? 0 : rows.length - 1);
    } else if (event.key === 'Enter' && rows[current]) {
      event.preventDefault();
      openStudy(rows[current].studyUid);
    }
  };

  const toggleSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: key === 'score' || key === 'date' }));

  const flaggedCount = (worklist.data ?? []).filter((r) => r.flagged).length;
  const unreviewedCount = (worklist.data ?? []).filter((r) => r.verdict === null).length;
  const noThreshold = (worklist.data ?? []).some((r) => r.score !== null && r.flagged === null);

  return (
    <Box sx={{ height: '100%', display: 'flex', flexDirection: 'column', minHeight: 0 }}>
      <Box component="header" sx={{ px: 2, pt: 1, pb: 0.75, borderBottom: 1, borderColor: 'divider', display: 'grid', gap: 0.75 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <Typography variant="h1" component="h1">
            Worklist
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {worklist.data
              ? `${worklist.data.length} studies · ${noThreshold ? 'no threshold calibrated' : `${flaggedCount} flagged`} · ${unreviewedCount} unreviewed`
              : 'Loading…'}
          </Typography>
          <Box sx={{ flex: 1 }} />
          <ImportButton />
          <PacsQueryButton />
          <Button variant="outlined" onClick={() => setTuning(true)}>
            Thresholds…
          </Button>
          <Button onClick={() => setChoosingReviewer(true)} aria-label="Change reviewer">
            {session.reviewer ? `Reader: ${session.reviewer.name}` : 'Choose reviewer'}
          </Button>
        </Box>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <TextField
            placeholder="Search patient, ID, description"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            slotProps={{
              htmlInput: { 'aria-label': 'Search studies' },
              input: { startAdornment: <InputAdornment position="start">⌕</InputAdornment> },
            }}
            sx={{ width: 280 }}
          />
          <ToggleButtonGroup
            size="small"
            exclusive
            value={filter}
            onChange={(_event, value: WorklistFilter | null) => value && setFilter(value)}
            aria-label="Filter studies"
          >
            {(Object.keys(FILTER_LABELS) as WorklistFilter[]).map((key) => (
              <ToggleButton key={key} value={key} sx={{ px: 1.25, py: 0.3 }}>
                {FILTER_LABELS[key]}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        </Box>
      </Box>
      {worklist.error && (
        <Typography color="error" sx={{ p: 2 }}>
          Could not load the worklist: {worklist.error.message}
        </Typography>
      )}
      <Box
        ref={tableRef}
        tabIndex={0}
        role="grid"
        aria-label="Studies; arrow keys move, Enter opens the viewer"
        aria-rowcount={rows.length}
        aria-activedescendant={rows[current] ? `worklist-row-${current}` : undefined}
        onKeyDown={onKeyDown}
        sx={{ flex: 1, overflow: 'auto', minHeight: 0, '&:focus-visible': { outlineOffset: -2 } }}
      >
        <Box component="table" sx={{ width: '100%', borderCollapse: 'collapse', fontSize: 13, '& td, & th': { px: 1, py: 0.5, borderBottom: 1, borderColor: 'divider', textAlign: 'left', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' } }}>
          <Box component="thead" sx={{ position: 'sticky', top: 0, bgcolor: 'background.paper', zIndex: 1 }}>
            <tr role="row">
              {COLUMNS.map((column) => (
                <Box
                  component="th"
                  role="columnheader"
                  key={column.label}
                  sx={{ width: column.width, textAlign: column.align ?? 'left', color: 'text.secondary', fontWeight: 600 }}
                  aria-sort={column.key && sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {column.key ? (
                    <TableSortLabel
                      active={sort.key === column.key}
                      direction={sort.descending ? 'desc' : 'asc'}
                      onClick={() => toggleSort(column.key!)}
                      tabIndex={-1}
                    >
                      {column.label}
                    </TableSortLabel>
                  ) : (
                    column.label
                  )}
                </Box>
              ))}
            </tr>
          </Box>
          <tbody>
            {rows.map((row, index) => (
              <Box
                component="tr"
                role="row"
                key={row.studyUid}
                id={`worklist-row-${index}`}
                data-row={index}
                data-study-uid={row.studyUid}
                aria-selected={index === current}
                onClick={() => setSelected(index)}
                onDoubleClick={() => openStudy(row.studyUid)}
                sx={{
                  cursor: 'pointer',
                  bgcolor: index === current ? 'rgba(127, 176, 208, 0.18)' : row.flagged ? 'rgba(224, 176, 98, 0.06)' : undefined,
                  boxShadow: index === current ? 'inset 3px 0 0 #7fb0d0' : undefined,
                  '&:hover': { bgcolor: 'rgba(127, 176, 208, 0.10)' },
                }}
              >
                <Box component="td" role="gridcell" sx={{ textAlign: 'right' }}><ScoreCell row={row} /></Box>
                <td role="gridcell"><FlagCell row={row} /></td>
                <Box component="td" role="gridcell" sx={{ maxWidth: 220 }}>{formatPersonName(row.patientName)}</Box>
                <td role="gridcell">{row.patientId || '–'}</td>
                <td role="gridcell">{formatDate(row.studyDate)}</td>
                <td role="gridcell">{row.modalities.join(', ') || '–'}</td>
                <Box component="td" role="gridcell" sx={{ maxWidth: 320 }}>{row.description ?? ''}</Box>
                <Box component="td" role="gridcell" sx={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{row.instanceCount}</Box>
                <td role="gridcell"><VerdictChip verdict={row.verdict} /></td>
              </Box>
            ))}
          </tbody>
        </Box>
        {worklist.data && rows.length === 0 && (
          <Typography color="text.secondary" sx={{ p: 3 }}>
            {worklist.data.length === 0 ? 'No studies yet: import DICOM files (File › Import) or run `normscope import`.' : 'No study matches the filter and search.'}
          </Typography>
        )}
        {worklist.data?.length === 0 && <DemoOffer />}
      </Box>
      <Box sx={{ px: 2, py: 0.5, borderTop: 1, borderColor: 'divider', color: 'text.secondary', fontSize: 12 }}>
        ↑/↓ move · Enter open · in the viewer: N/A/U verdict · J/K next/previous study · O overlay · M most anomalous slice
      </Box>
      <ReviewerDialog open={choosingReviewer} onClose={() => setChoosingReviewer(false)} />
      {tuning && <ThresholdDialog onClose={() => setTuning(false)} />}
    </Box>
  );
}
