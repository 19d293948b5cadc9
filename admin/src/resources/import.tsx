// CSV import of products and variants: a dry run first (per-row errors), then the real import. The API
// validates the whole file and writes all or nothing; re-importing updates by SKU instead of duplicating.
import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
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
  const [busy, setBusy] = useState<string | undefined>();

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'Checking the file…' : 'Importing…');
    try {
      setReport((await data.importProducts(file, dryRun)) as Report);
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
        {busy ? <Alert severity="info">{busy}</Alert> : null}
        {report ? <ReportView report={report} /> : null}
      </CardContent>
    </Card>
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
