/**
 * The workstation's sections, in navigation order. Sections whose work comes
 * with later parts of the project say in one sentence what they will hold.
 */
import type { ComponentType } from 'react';
import { ModelsIcon, ReportsIcon, SettingsIcon, TrainingIcon, ViewerIcon, WorklistIcon } from '../components/icons';
import { ModelsSection } from './ModelsSection';
import { SectionPage } from './SectionPage';
import { SettingsSection } from './SettingsSection';
import { ViewerSection } from './ViewerSection';
import { WorklistSection } from './WorklistSection';
import { TrainingSection } from './TrainingSection';

export type SectionId = 'worklist' | 'viewer' | 'training' | 'models' | 'reports' | 'settings';

export interface Section {
  id: SectionId;
  label: string;
  Icon: ComponentType<{ fontSize?: 'small' | 'medium' }>;
  Page: ComponentType;
}

function announced(title: string, summary: string): ComponentType {
  return function AnnouncedSection() {
    return <SectionPage title={title} summary={summary} />;
  };
}

export const SECTIONS: readonly Section[] = [
  { id: 'worklist', label: 'Worklist', Icon: WorklistIcon, Page: WorklistSection },
  { id: 'viewer', label: 'Viewer', Icon: ViewerIcon, Page: ViewerSection },
  { id: 'training', label: 'Training', Icon: TrainingIcon, Page: TrainingSection },
  { id: 'models', label: 'Models', Icon: ModelsIcon, Page: ModelsSection },
  {
    id: 'reports',
    label: 'Reports',
    Icon: ReportsIcon,
    Page: announced('Reports', 'Audit reports of reviews, verdicts and model performance will be exported from here.'),
  },
  { id: 'settings', label: 'Settings', Icon: SettingsIcon, Page: SettingsSection },
];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '');
  return SECTIONS.find((section) => section.id === id)?.id ?? 'worklist';
}
