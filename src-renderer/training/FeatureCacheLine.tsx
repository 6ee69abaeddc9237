/**
 * The engine's feature cache as the Training page shows it: how many frames
 * and bytes it holds, and a button to clear it (not while a run reads it).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useApi, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

export function FeatureCacheLine({ training }: { training: boolean }) {
  const api = useApi();
  const { notify, reportError } = useNotifier();
  const stats = useResource('features.cacheStats', {});
  const [clearing, setClearing] = useState(false);
  const clear = async () => {
    setClearing(true);
    try {
      stats.replace(await api.call('features.clearCache', {}));
      notify('Feature cache cleared');
    } catch (error) {
      reportError('Clearing the feature cache', error);
    } finally {
      setClearing(false);
    }
  };
  if (!stats.data) return null;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
      <Typography variant="body2" color="text.secondary" data-testid="feature-cache">
        Feature cache: {stats.data.entries} frames, {megabytes(stats.data.bytes)} (float16; the backbone runs once per frame)
      </Typography>
      <Button size="small" variant="text" onClick={() => void clear()} disabled={clearing || training || stats.data.entries === 0}>
        Clear
      </Button>
    </Box>
  );
}
