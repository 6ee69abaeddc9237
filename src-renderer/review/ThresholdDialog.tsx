/**
 * Threshold tuning for the active model: calibrate on held-out normal studies
 * at target false-positive rates, or pick an operating point on the ROC of AI
 * flags against verdicts; see the confusion matrix and score histograms; save
 * a new threshold version (audited, under the current reader's name).
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import { LineChart } from '@mui/x-charts/LineChart';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { Calibration } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useResource } from '../api/hooks';
import { operatingPoint } from './operating-point';
import { useReviewSession } from './session';

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title} sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5, minWidth: 0 }}>
      <Typography variant="h2" component="h3" sx={{ mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

function ConfusionTable({ confusion }: { confusion: { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number } }) {
  const cell = { border: 1, borderColor: 'divider', px: 1.5, py: 0.5, textAlign: 'center' as const, fontVariantNumeric: 'tabular-nums' };
  return (
    <Box component="table" aria-label="Confusion matrix of AI flags against verdicts" sx={{ borderCollapse: 'collapse', fontSize: 13 }}>
      <thead>
        <tr>
          <Box component="th" sx={cell} />
          <Box component="th" sx={cell}>Verdict abnormal</Box>
          <Box component="th" sx={cell}>Verdict normal</Box>
        </tr>
      </thead>
      <tbody>
        <tr>
          <Box component="th" sx={cell}>AI flagged</Box>
          <Box component="td" sx={cell}>{confusion.truePositives}</Box>
          <Box component="td" sx={cell}>{confusion.falsePositives}</Box>
        </tr>
        <tr>
          <Box component="th" sx={cell}>Not flagged</Box>
          <Box component="td" sx={cell}>{confusion.falseNegatives}</Box>
          <Box component="td" sx={cell}>{confusion.trueNegatives}</Box>
        </tr>
      </tbody>
    </Box>
  );
}

export function ThresholdDialog({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const session = useReviewSession();
  const thresholds = useResource('review.thresholds', {});
  const modelId = thresholds.data?.model?.id ?? null;
  const performance = useResource('review.performance', { modelVersionId: modelId ?? '-' });
  const [pixelFpr, setPixelFpr] = useState('1');
  const [imageFpr, setImageFpr] = useState('5');
  const [calibration, setCalibration] = useState<Calibration | null>(null);
  const [by, setBy] = useState<'sensitivity' | 'specificity'>('sensitivity');
  const [target, setTarget] = useState('90');
  const [pixelThreshold, setPixelThreshold] = useState('');
  const [imageThreshold, setImageThreshold] = useState('');
  const [method, setMethod] = useState<Record<string, unknown>>({ kind: 'manual' });
  const [message, setMessage] = useState<{ severity: 'error' | 'success'; text: string } | null>(null);

  const current = thresholds.data?.current ?? null;
  const perf = modelId ? performance.data : null;
  const point =
    perf?.roc && Number.isFinite(Number(target))
      ? operatingPoint(perf.roc, by, Number(target) / 100, perf.abnormals, perf.normals)
      : null;

  const runCalibration = async () => {
    if (!modelId) return;
    try {
      const result = await api.call('review.calibrate', {
        modelVersionId: modelId,
        targetPixelFpr: Number(pixelFpr) / 100,
        targetImageFpr: Number(imageFpr) / 100,
      });
      setCalibration(result);
      setPixelThreshold(result.pixelThreshold.toPrecision(4));
      setImageThreshold(result.imageThreshold.toPrecision(4));
      setMethod({ kind: 'normal-fpr', targetPixelFpr: result.targetPixelFpr, targetImageFpr: result.targetImageFpr, normalStudies: result.normalStudies, sources: result.sources });
      setMessage(null);
    } catch (err) {
      setMessage({ severity: 'error', text: toNormscopeError(err).message });
    }
  };

  const useOperatingPoint = () => {
    if (!point) return;
    setImageThreshold(point.threshold.toPrecision(4));
    if (!pixelThreshold && current) setPixelThreshold(String(current.pixelThreshold));
    setMethod({ kind: 'operating-point', by, target: Number(target) / 100, sensitivity: point.sensitivity, specificity: point.specificity });
  };

  const save = async () => {
    if (!modelId || !session.reviewer) return;
    try {
      const saved = await api.call('review.saveThreshold', {
        modelVersionId: modelId,
        reviewerId: session.reviewer.id,
        pixelThreshold: Number(pixelThreshold),
        imageThreshold: Number(imageThreshold),
        method,
      });
      setMessage({ severity: 'success', text: `Saved threshold version ${saved.id}.` });
      thresholds.reload();
      performance.reload();
    } catch (err) {
      setMessage({ severity: 'error', text: toNormscopeError(err).message });
    }
  };

  const histogram = perf?.histogram;
  const binLabels = histogram ? histogram.edges.slice(0, -1).map((edge) => edge.toFixed(2)) : [];
  const valid = Number.isFinite(Number(pixelThreshold)) && pixelThreshold !== '' && Number.isFinite(Number(imageThreshold)) && imageThreshold !== '';

  return (
    <Dialog open onClose={onClose} maxWidth="lg" fullWidth aria-labelledby="thresholds-title">
      <DialogTitle id="thresholds-title">
        Thresholds · {thresholds.data?.model?.name ?? 'no active model'}
      </DialogTitle>
      <DialogContent dividers>
        {!modelId && thresholds.data && <Alert severity="info">No model is active: train or import one first.</Alert>}
        {modelId && (
          <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1.5 }}>
            <Panel title="In force">
              {current ? (
                <Typography variant="body2">
                  Version {current.id} · pixel {current.pixelThreshold.toPrecision(4)} · image {current.imageThreshold.toPrecision(4)} · by {current.createdBy} ·{' '}
                  {String(current.method.kind ?? 'manual')}
                </Typography>
              ) : (
                <Typography variant="body2" color="text.secondary">No threshold yet: the worklist flags nothing and the overlay uses half the largest score.</Typography>
              )}
              <Typography variant="caption" color="text.secondary">
                {thresholds.data?.history.length ?? 0} version(s) saved for this model
              </Typography>
            </Panel>
            <Panel title="Calibrate on normal studies">
              <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                <TextField label="Pixel FPR %" value={pixelFpr} onChange={(e) => setPixelFpr(e.target.value)} sx={{ width: 110 }} />
                <TextField label="Image FPR %" value={imageFpr} onChange={(e) => setImageFpr(e.target.value)} sx={{ width: 110 }} />
                <Button variant="outlined" onClick={() => void runCalibration()}>
                  Calibrate
                </Button>
              </Box>
              {calibration && (
                <Typography variant="body2" sx={{ mt: 1 }} aria-live="polite">
                  {calibration.normalStudies} normal studies ({calibration.sources.join(', ')}), {calibration.normalImages} images: pixel {calibration.pixelThreshold.toPrecision(4)} (
                  {percent(calibration.achievedPixelFpr)} of normal pixels), image {calibration.imageThreshold.toPrecision(4)} ({percent(calibration.achievedImageFpr)} of normal images)
                </Typography>
              )}
            </Panel>
            <Panel title={`ROC of AI flags against verdicts${perf?.auroc != null ? ` · AUROC ${perf.auroc.toFixed(3)}` : ''}`}>
              {perf?.roc ? (
                <LineChart
                  height={220}
                  margin={{ left: 0, right: 10, top: 10, bottom: 0 }}
                  xAxis={[{ data: perf.roc.falsePositiveRate, label: '1 − specificity', min: 0, max: 1 }]}
                  yAxis={[{ min: 0, max: 1, label: 'sensitivity', width: 50 }]}
                  series={[{ data: perf.roc.truePositiveRate, showMark: false, color: '#7fb0d0', curve: 'stepAfter', label: 'ROC' }]}
                  hideLegend
                />
              ) : (
                <Typography variant="body2" color="text.secondary">
                  Needs studies with normal and with abnormal verdicts ({perf?.normals ?? 0} normal, {perf?.abnormals ?? 0} abnormal so far).
                </Typography>
              )}
              <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mt: 1, flexWrap: 'wrap' }}>
                <TextField select label="Operating point by" value={by} onChange={(e) => setBy(e.target.value as 'sensitivity' | 'specificity')} sx={{ width: 170 }}>
                  <MenuItem value="sensitivity">Sensitivity</MenuItem>
                  <MenuItem value="specificity">Specificity</MenuItem>
                </TextField>
                <TextField label="Target %" value={target} onChange={(e) => setTarget(e.target.value)} sx={{ width: 90 }} />
                <Button variant="outlined" disabled={!point} onClick={useOperatingPoint}>
                  Use this point
                </Button>
              </Box>
              {point && (
                <Typography variant="body2" sx={{ mt: 0.5 }}>
                  Image threshold {point.threshold.toPrecision(4)}: sensitivity {percent(point.sensitivity)}, specificity {percent(point.specificity)}
                </Typography>
              )}
            </Panel>
            <Panel title="Confusion matrix and study scores">
              <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
                {point ? (
                  <Box>
                    <Typography variant="caption" color="text.secondary">At the chosen point</Typography>
                    <ConfusionTable confusion={point.confusion} />
                  </Box>
                ) : perf?.confusion ? (
                  <Box>
                    <Typography variant="caption" color="text.secondary">At the threshold in force</Typography>
                    <ConfusionTable confusion={perf.confusion} />
                  </Box>
                ) : (
                  <Typography variant="body2" color="text.secondary">No verdicts to compare with yet.</Typography>
                )}
              </Box>
              {histogram && (
                <BarChart
                  height={170}
                  margin={{ left: 0, right: 10, top: 10, bottom: 0 }}
                  xAxis={[{ data: binLabels, scaleType: 'band', label: 'study score' }]}
                  yAxis={[{ width: 30 }]}
                  series={[
                    { data: histogram.normal, label: 'normal', color: '#8cc79a', stack: 'all' },
                    { data: histogram.abnormal, label: 'abnormal', color: '#e57f7f', stack: 'all' },
                    { data: histogram.unreviewed, label: 'unreviewed', color: '#6b7785', stack: 'all' },
                  ]}
                />
              )}
            </Panel>
          </Box>
        )}
        {message && (
          <Alert severity={message.severity} sx={{ mt: 1.5 }}>
            {message.text}
          </Alert>
        )}
      </DialogContent>
      <DialogActions sx={{ gap: 1 }}>
        <TextField label="Pixel threshold" value={pixelThreshold} onChange={(e) => setPixelThreshold(e.target.value)} sx={{ width: 140 }} />
        <TextField label="Image threshold" value={imageThreshold} onChange={(e) => setImageThreshold(e.target.value)} sx={{ width: 140 }} />
        <Box sx={{ flex: 1 }} />
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" disabled={!modelId || !valid || !session.reviewer} onClick={() => void save()}>
          Save as new version
        </Button>
      </DialogActions>
    </Dialog>
  );
}
