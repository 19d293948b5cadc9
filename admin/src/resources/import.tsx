// CSV import of products and variants: a dry run first (per-row errors), then the real import. The API
// validates the whole file and writes all or nothing; re-importing updates by SKU instead of duplicating.
// Big files show progress: the share uploaded, then the server's work on the file's rows.
import {
  Alert,
  Box,
  Card,
  CardContent,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { Button, Title, useNotify } from 'react-admin';
import { useAdminData } from '../components';

type Report = {
  dry_run: boolean;
  applied: boolean;
  rows: number;
  valid_rows: number;
  error_count: number;
  errors: Array<{ row: number; field?: string; message: string }>;
  products?: { created: number; updated: number };
  variants?: { created: number; updated: number };
};

export default function ImportPage() {
  const data = useAdminData();
  const notify = useNotify();
  const [file, setFile] = useState<File | undefined>();
  const [report, setReport] = useState<Report | undefined>();
  const [busy, setBusy] = useState<Progress | undefined>();

  const run = async (dryRun: boolean) => {
    if (!file) return;
    const text = await file.text();
    const rows = Math.max(0, text.split(/\r?\n/).filter((line) => line.trim() !== '').length - 1);
    const verb = dryRun ? 'Checking' : 'Importing';
    setBusy({ verb, rows, sent: 0 });
    try {
      const onProgress = (sent: number) => setBusy({ verb, rows, sent });
      setReport((await data.importProducts(text, dryRun, onProgress)) as Report);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Import products" />
      <CardContent>
        <Typography variant="h6" component="h2">
          Import products and variants from CSV
        </Typography>
        <Typography variant="body2" gutterBottom>
          Columns: product_slug, product_name, category_slug, description, is_active, is_featured, variant_sku, variant_name, price,
          stock_quantity, low_stock_threshold. One row per variant; existing SKUs are updated.
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', my: 2, flexWrap: 'wrap' }}>
          <label htmlFor="csv-file">CSV file</label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              setReport(undefined);
            }}
          />
          <Button label="Check (dry run)" variant="outlined" disabled={!file || !!busy} onClick={() => run(true)} />
          <Button
            label="Import"
            variant="contained"
            disabled={!file || !!busy || !report || report.error_count > 0 || report.applied}
            onClick={() => run(false)}
          />
        </Box>
        {busy ? <ProgressView progress={busy} /> : null}
        {report ? <ReportView report={report} /> : null}
      </CardContent>
    </Card>
  );
}

type Progress = { verb: string; rows: number; sent: number };

/** Uploading: how much of the file is sent; then the server validates/writes all rows in one transaction. */
function ProgressView({ progress }: { progress: Progress }) {
  const uploading = progress.sent < 1;
  const percent = Math.round(progress.sent * 100);
  const text = uploading
    ? `${progress.verb} ${progress.rows} rows: uploading, ${percent}%`
    : `${progress.verb} ${progress.rows} rows on the server…`;
  return (
    <Box data-testid="import-progress" sx={{ my: 2 }}>
      <Typography variant="body2" gutterBottom>
        {text}
      </Typography>
      <LinearProgress
        aria-label="Import progress"
        variant={uploading ? 'determinate' : 'indeterminate'}
        value={uploading ? percent : undefined}
      />
    </Box>
  );
}

function ReportView({ report }: { report: Report }) {
  const summary = `${report.rows} rows, ${report.valid_rows} valid, ${report.error_count} with errors. Products: ${report.products?.created ?? 0} new, ${report.products?.updated ?? 0} updated; variants: ${report.variants?.created ?? 0} new, ${report.variants?.updated ?? 0} updated.`;
  return (
    <Box data-testid="import-report">
      <Alert severity={report.applied ? 'success' : report.error_count ? 'warning' : 'info'}>
        {report.applied ? `Imported. ${summary}` : `${report.dry_run ? 'Dry run' : 'Not imported'}: ${summary}`}
      </Alert>
      {report.errors.length ? (
        <Table size="small" aria-label="Rows with errors">
          <TableHead>
            <TableRow>
              <TableCell>Line</TableCell>
              <TableCell>Field</TableCell>
              <TableCell>Problem</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {report.errors.map((e) => (
              <TableRow key={`${e.row}-${e.field}-${e.message}`} data-testid="import-error">
                <TableCell>{e.row}</TableCell>
                <TableCell>{e.field ?? ''}</TableCell>
                <TableCell>{e.message}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Box>
  );
}
