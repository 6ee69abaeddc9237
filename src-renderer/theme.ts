/**
 * A calm dark theme for reading rooms: low luminance surfaces so the images
 * stay the brightest thing on screen, text that is soft but above WCAG AA
 * contrast, one muted accent, and dense controls.
 */
import { createTheme } from '@mui/material/styles';

const FOCUS = '#a9d0ea';

export const theme = createTheme({
  palette: {
    mode: 'dark',
    background: { default: '#0e1115', paper: '#151a20' },
    primary: { main: '#7fb0d0' },
    secondary: { main: '#9fc7a8' },
    warning: { main: '#e0b062' },
    error: { main: '#e57f7f' },
    success: { main: '#8cc79a' },
    text: { primary: 'rgba(232, 237, 242, 0.92)', secondary: 'rgba(200, 210, 220, 0.68)' },
    divider: 'rgba(200, 215, 230, 0.12)',
  },
  shape: { borderRadius: 6 },
  typography: {
    fontFamily: '"Inter", system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", Roboto, "Helvetica Neue", Arial, sans-serif',
    fontSize: 13,
    h1: { fontSize: '1.35rem', fontWeight: 600, letterSpacing: 0 },
    h2: { fontSize: '1.05rem', fontWeight: 600 },
    button: { textTransform: 'none', fontWeight: 600 },
  },
  components: {
    // MUI hides the outline and shows only a faint ripple on keyboard focus: too subtle in a dark room
    MuiButtonBase: {
      styleOverrides: { root: { '&.Mui-focusVisible': { outline: `2px solid ${FOCUS}`, outlineOffset: -2 } } },
    },
    MuiButton: { defaultProps: { size: 'small' } },
    MuiTextField: { defaultProps: { size: 'small' } },
    MuiSelect: { defaultProps: { size: 'small' } },
    MuiFormControl: { defaultProps: { size: 'small' } },
    MuiChip: { defaultProps: { size: 'small' } },
    MuiTooltip: { defaultProps: { arrow: true } },
    MuiCssBaseline: {
      styleOverrides: {
        // keyboard users must always see where they are
        ':focus-visible': { outline: `2px solid ${FOCUS}`, outlineOffset: 2 },
      },
    },
  },
});
