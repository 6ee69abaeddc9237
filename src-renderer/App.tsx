/**
 * The workstation's frame: navigation rail on the left, the current section,
 * the status bar along the bottom. The section lives in the URL's hash so a
 * reload (or Electron's window restore) returns to it.
 */
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useEffect, useState } from 'react';
import { StatusBar } from './components/StatusBar';
import { ImportDropTarget } from './imports/ImportDropTarget';
import { SECTIONS, sectionFromHash } from './sections/sections';
import type { SectionId } from './sections/sections';

function useSectionFromHash(): [SectionId, (id: SectionId) => void] {
  const [section, setSection] = useState<SectionId>(() => sectionFromHash(window.location.hash));
  useEffect(() => {
    const follow = () => setSection(sectionFromHash(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const go = (id: SectionId) => {
    window.location.hash = `/${id}`;
    setSection(id);
  };
  return [section, go];
}

export function App() {
  const [current, go] = useSectionFromHash();
  const section = SECTIONS.find((s) => s.id === current) ?? SECTIONS[0]!;

  return (
    <Box
      sx={{
        height: '100vh',
        display: 'grid',
        gridTemplateColumns: 'auto 1fr',
        gridTemplateRows: '1fr auto',
        gridTemplateAreas: '"nav main" "status status"',
      }}
    >
      <Box component="nav" aria-label="Sections" sx={{ gridArea: 'nav', borderRight: 1, borderColor: 'divider', bgcolor: 'background.paper' }}>
        <Tabs
          orientation="vertical"
          value={current}
          onChange={(_event, id: SectionId) => go(id)}
          aria-label="Sections"
          sx={{ '& .MuiTabs-indicator': { left: 0, width: 3 } }}
        >
          {SECTIONS.map(({ id, label, Icon }) => (
            <Tab
              key={id}
              value={id}
              label={label}
              icon={<Icon fontSize="small" />}
              id={`tab-${id}`}
              aria-controls={`panel-${id}`}
              sx={{ minWidth: 88, minHeight: 64, fontSize: '0.75rem', px: 1 }}
            />
          ))}
        </Tabs>
      </Box>
      <Box
        component="main"
        role="tabpanel"
        id={`panel-${section.id}`}
        aria-labelledby={`tab-${section.id}`}
        sx={{ gridArea: 'main', overflow: 'auto', minHeight: 0 }}
      >
        <section.Page />
      </Box>
      <StatusBar />
      <ImportDropTarget />
    </Box>
  );
}
