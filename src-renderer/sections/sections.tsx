/**
 * The workstation's sections, in navigation order.
 */
import type { ComponentType } from 'react';
import { ModelsIcon, ReportsIcon, SettingsIcon, TrainingIcon, ViewerIcon, WorklistIcon } from '../components/icons';
import { ModelsSection } from './ModelsSection';
import { ReportsSection } from './ReportsSection';
import { SettingsSection } from './SettingsSection';
import { TrainingSection } from './TrainingSection';
import { ViewerSection } from './ViewerSection';
import { WorklistSection } from './WorklistSection';

export type SectionId = 'worklist' | 'viewer' | 'training' | 'models' | 'reports' | 'settings';

export interface Section {
  id: SectionId;
  label: string;
  Icon: ComponentType<{ fontSize?: 'small' | 'medium' }>;
  Page: ComponentType;
}

export const SECTIONS: readonly Section[] = [
  { id: 'worklist', label: 'Worklist', Icon: WorklistIcon, Page: WorklistSection },
  { id: 'viewer', label: 'Viewer', Icon: ViewerIcon, Page: ViewerSection },
  { id: 'training', label: 'Training', Icon: TrainingIcon, Page: TrainingSection },
  { id: 'models', label: 'Models', Icon: ModelsIcon, Page: ModelsSection },
  { id: 'reports', label: 'Reports', Icon: ReportsIcon, Page: ReportsSection },
  { id: 'settings', label: 'Settings', Icon: SettingsIcon, Page: SettingsSection },
];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '');
  return SECTIONS.find((section) => section.id === id)?.id ?? 'worklist';
}
