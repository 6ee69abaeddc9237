/** `backbones.*`, `features.*`, `scoring.*`: thin bindings of the engine's services (src-main/engine). */
import type { BackboneInfo } from '../../api/contract/engine';
import type { Handler } from '../../api/dispatch';
import { backboneManifest } from '../../engine/backbone-manifest';
import { importBackbone, listBackbones } from '../../engine/backbones';
import type { EngineCore } from '../../engine/context';
import { clearFeatureCache, featureCacheStats } from '../../engine/features';
import { anomalyMapView, seriesScoresView, studyScoresView } from '../../engine/score-views';
import { startScoring } from '../../engine/scoring';
import type { Backbone } from '../../store/repositories/models-repository';

export function backboneInfo(backbone: Backbone): BackboneInfo {
  const manifest = backboneManifest(backbone);
  return {
    id: backbone.id,
    name: backbone.name,
    family: manifest.family,
    standIn: backbone.standIn,
    sha256: backbone.sha256,
    embedDim: manifest.embedDim,
    patchSize: manifest.patchSize,
    grid: manifest.grid,
    prefixTokens: manifest.prefixTokens,
    inputSize: manifest.inputSize,
    dynamicSize: manifest.dynamicSize,
    source: manifest.source,
    licenceNote: manifest.licenceNote,
    notes: manifest.notes,
    externalDataFiles: manifest.externalData.length,
    createdAt: backbone.createdAt,
  };
}

export function engineHandlers(core: EngineCore): {
  'backbones.list': Handler<'backbones.list'>;
  'backbones.import': Handler<'backbones.import'>;
  'features.cacheStats': Handler<'features.cacheStats'>;
  'features.clearCache': Handler<'features.clearCache'>;
  'scoring.start': Handler<'scoring.start'>;
  'scoring.map': Handler<'scoring.map'>;
  'scoring.seriesScores': Handler<'scoring.seriesScores'>;
  'scoring.studyScores': Handler<'scoring.studyScores'>;
} {
  return {
    'backbones.list': () => listBackbones(core).map(backboneInfo),
    'backbones.import': async ({ path, name }) => {
      const imported = await importBackbone(core, path, name ? { name } : {});
      return {
        backbone: backboneInfo(imported.backbone),
        alreadyImported: imported.alreadyImported,
      };
    },
    'features.cacheStats': () => featureCacheStats(core),
    'features.clearCache': () => clearFeatureCache(core),
    'scoring.start': (request) => core.jobs.get(startScoring(core, request).id),
    'scoring.map': (query) => anomalyMapView(core.store, query),
    'scoring.seriesScores': (query) => seriesScoresView(core.store, query),
    'scoring.studyScores': (query) => studyScoresView(core.store, query),
  };
}
