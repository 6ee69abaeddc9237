/**
 * The engine's feature cache behind training's FeatureProvider interface
 * (src-main/training/features.ts): a frame named by study and instance is
 * looked up in the store and read through getFrameFeatures.
 */
import { NormscopeError } from '../api/errors';
import type { FeatureProvider, FrameFeatures } from '../training/features';
import type { StoredInstance } from '../store/repositories/studies-repository';
import type { EngineCore } from './context';
import { getFrameFeatures } from './features';
import type { FrameRef } from './features';

/** A FeatureProvider over the engine's cache; instances are looked up once per study. */
export function engineFeatureProvider(
  core: Pick<EngineCore, 'store' | 'workers'>,
): FeatureProvider {
  return (backbone, spec): FrameFeatures => {
    const studies = new Map<string, Map<string, StoredInstance>>();
    const instanceOf = (studyUid: string, sopInstanceUid: string): StoredInstance => {
      let instances = studies.get(studyUid);
      if (!instances) {
        const study = core.store.studies.getStudy(studyUid);
        if (!study) throw new NormscopeError('NotFound', `study ${studyUid} does not exist`);
        instances = new Map(
          study.series.flatMap((s) => s.instances.map((i) => [i.sopInstanceUid, i] as const)),
        );
        studies.set(studyUid, instances);
      }
      const instance = instances.get(sopInstanceUid);
      if (!instance)
        throw new NormscopeError(
          'NotFound',
          `instance ${sopInstanceUid} is not in study ${studyUid}`,
        );
      return instance;
    };
    return {
      async get(frame, signal) {
        const instance = instanceOf(frame.studyUid, frame.sopInstanceUid);
        const file: FrameRef['file'] | null = instance.fileSha256
          ? { sha256: instance.fileSha256 }
          : instance.sourcePath
            ? { path: instance.sourcePath }
            : null;
        if (!file)
          throw new NormscopeError(
            'Unavailable',
            `instance ${instance.sopInstanceUid} has no file`,
          );
        const [features] = (
          await getFrameFeatures(core, [{ file, frame: frame.frame }], {
            backbone,
            spec,
            ...(signal ? { signal } : {}),
          })
        ).frames;
        return features!.features;
      },
    };
  };
}
