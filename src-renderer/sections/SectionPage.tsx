import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

/** The frame of every section: its heading, an optional one-line summary, its content. */
export function SectionPage({ title, summary, children }: { title: string; summary?: string; children?: ReactNode }) {
  return (
    <Box sx={{ p: 3, maxWidth: 960 }}>
      <Typography variant="h1" component="h1" gutterBottom>
        {title}
      </Typography>
      {summary && (
        <Typography variant="body1" color="text.secondary" sx={{ mb: 2, maxWidth: 720 }}>
          {summary}
        </Typography>
      )}
      {children}
    </Box>
  );
}
