/** The human-readable report of `normscope evaluate` (the --json output is the result itself). */
import type { EvaluationResult } from './evaluate';
import type { MetricSet } from './metrics-accumulator';

const pct = (v: number): string => (100 * v).toFixed(2);

function metricRow(label: string, m: MetricSet): string {
  return `  ${label.padEnd(12)} pixel AUROC ${pct(m.pixelAuroc)}  pixel AUPR ${pct(m.pixelAupr)}  image AUROC ${pct(m.imageAuroc)}`;
}

export function formatEvaluation(r: EvaluationResult): string {
  const d = r.dataset;
  const valid = d.valid ? `valid ${d.valid.normal}+${d.valid.anomalous}` : 'no valid/';
  const lines = [
    `${d.dir}: train ${d.train}, ${valid}, test ${d.test.normal} normal + ${d.test.anomalous} anomalous`,
    `backbone ${r.backbone.name} (${r.backbone.family}${r.backbone.standIn ? ', STAND-IN with random weights, not for clinical use' : ''}), ` +
      `${r.backbone.inputSize} px, ${r.backbone.grid}x${r.backbone.grid}x${r.backbone.channels}`,
    'metrics (%):',
    metricRow('whole image', r.metrics.whole),
    metricRow('foreground', r.metrics.foreground),
  ];
  for (const [i, m] of r.models.entries()) {
    const c = m.config;
    const name = r.models.length > 1 ? `model ${i + 1}` : 'model';
    lines.push(
      `${name}: ${c.mode}${c.flipped ? ' (flipped)' : ''}, dilations [${c.dilations.join(',')}], ${c.layers} layers, hidden ${c.hidden}; ` +
        (m.strictBlindSpot
          ? 'a strict blind spot (no path from a patch back to itself)'
          : `NOT a strict blind spot: ${m.selfDependencyPaths} paths lead back to the predicted patch, e.g. ` +
            (m.selfDependencyExample ?? []).map((o) => `(${o.dy},${o.dx})`).join(' -> ')),
    );
    const selected =
      r.selection === 'last-epoch'
        ? `last epoch ${m.selectedEpoch}`
        : `epoch ${m.selectedEpoch} by ${r.selection} ${m.selectedValue?.toPrecision(4)}`;
    lines.push(`  kept ${selected}; final training loss ${m.trainLoss.at(-1)?.toPrecision(4)}`);
  }
  const rc = r.recipe;
  lines.push(
    `recipe: lr ${rc.lr}, batch ${rc.batchSize}, warm-up ${rc.warmupSteps} steps, ${rc.epochs} epochs, seed ${rc.seed}, ` +
      `noise p ${rc.noiseP} x ${rc.noiseScale}, weight decay ${rc.weightDecay}`,
    `image score: max over ${r.imageScore.positionsScored}/${r.imageScore.positions} positions with enough context`,
    `time: features ${r.timing.featureSeconds.toFixed(1)} s, training ${r.timing.trainingSeconds.toFixed(1)} s, ` +
      `scoring ${r.timing.scoringMsPerImage.toFixed(1)} ms/image (backbone ${r.timing.backboneMsPerImage.toFixed(1)}, AR ${r.timing.arMsPerImage.toFixed(1)})`,
    `ONNX Runtime ${r.runtime.ortVersion} on ${r.runtime.provider}, ${r.runtime.intraOpThreads || 'default'} threads`,
  );
  return lines.join('\n');
}
