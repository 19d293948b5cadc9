// react-admin's default Material UI theme with fixes found by the axe scan and the tablet-width test:
// colours with enough contrast (app bar, status chips, danger buttons, empty states, labels), labelled row
// checkboxes, toolbars that wrap and tables that scroll inside the page at 768 px.
import { defaultTheme, type RaThemeOptions } from 'react-admin';

const overrides = {
  MuiInputLabel: { styleOverrides: { root: { color: 'rgba(0, 0, 0, 0.74)' } } },
  MuiFormLabel: { styleOverrides: { asterisk: { color: 'inherit' } } },
  // react-admin puts the row checkbox's aria-label on the wrapper; label the input itself
  MuiCheckbox: { defaultProps: { slotProps: { input: { 'aria-label': 'Select row' } } } },
  RaEmpty: { styleOverrides: { root: { '& .RaEmpty-message': { color: 'rgba(0, 0, 0, 0.74)', opacity: 1 } } } },
  RaToolbar: { styleOverrides: { root: { backgroundColor: '#f5f5f5' } } },
  RaTopToolbar: { styleOverrides: { root: { flexWrap: 'wrap' } } },
  RaList: {
    styleOverrides: {
      root: {
        minWidth: 0,
        '& .RaList-main': { minWidth: 0, maxWidth: '100%' },
        '& .RaList-actions': { flexWrap: 'wrap' },
      },
    },
  },
  RaDatagrid: { styleOverrides: { root: { '& .RaDatagrid-tableWrapper': { overflowX: 'auto' } } } },
  // react-admin's layout is `min-width: fit-content`, so a wide table widens the whole page; keep it to the
  // viewport and let the table scroll inside its own box instead
  RaLayout: {
    styleOverrides: {
      root: {
        minWidth: 0,
        '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar': { minWidth: 0 },
        '& .RaLayout-content': { minWidth: 0 },
      },
    },
  },
};

export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    ...defaultTheme.palette,
    primary: { main: '#1565c0' },
    secondary: { main: '#0d47a1', contrastText: '#fff' },
    error: { main: '#b71c1c' },
    warning: { main: '#8a4b00', contrastText: '#fff' },
    info: { main: '#01579b', contrastText: '#fff' },
    success: { main: '#1b5e20', contrastText: '#fff' },
  },
  components: { ...defaultTheme.components, ...(overrides as RaThemeOptions['components']) },
};
