// Shared field components and helpers of the admin screens.
import { Chip } from '@mui/material';
import { useState } from 'react';
import { Button, type ButtonProps, Confirm, useDataProvider, useListContext, useNotify, useRecordContext } from 'react-admin';
import type { AdminDataProvider } from './dataProvider';

export const ORDER_STATUSES = ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
export const statusChoices = ORDER_STATUSES.map((s) => ({ id: s, name: s }));

/** Legal next statuses (mirrors the API's state machine only to decide which buttons to offer). */
export const NEXT_STATUS: Record<string, string | undefined> = {
  paid: 'processing',
  processing: 'shipped',
  shipped: 'delivered',
};

export const useAdminData = () => useDataProvider<AdminDataProvider>();

const statusColors: Record<string, 'default' | 'success' | 'warning' | 'error' | 'info' | 'primary'> = {
  pending: 'warning',
  paid: 'info',
  processing: 'primary',
  shipped: 'primary',
  delivered: 'success',
  cancelled: 'default',
  refunded: 'error',
  dead: 'error',
  done: 'success',
  running: 'info',
};

/** A coloured chip with the record's status (orders, payments, jobs). */
export function StatusField({ source = 'status' }: { source?: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const value = record?.[source];
  if (!value) return null;
  return <Chip size="small" label={String(value)} color={statusColors[String(value)] ?? 'default'} />;
}

/** Money as the API sends it: a decimal string plus the record's currency. */
export function MoneyField({ source, currencySource = 'currency' }: { source: string; currencySource?: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const value = record?.[source];
  if (value === null || value === undefined) return <span>—</span>;
  const currency = record?.[currencySource] ?? 'USD';
  return <span>{`${value} ${currency}`}</span>;
}

/** A button that asks before it acts (destructive or irreversible actions). */
export function ConfirmButton({
  label,
  title,
  content,
  onConfirm,
  ...props
}: { label: string; title: string; content: string; onConfirm: () => Promise<void> } & Omit<ButtonProps, 'onClick'>) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button label={label} onClick={() => setOpen(true)} disabled={busy} {...props} />
      <Confirm
        isOpen={open}
        loading={busy}
        title={title}
        content={content}
        onConfirm={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setOpen(false);
          }
        }}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

/** Saves a blob through a temporary object URL (the CSP allows blob: downloads; no token in any URL). */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "Export CSV" for products or orders with the list's current filters, streamed by the API. */
export function CsvExportButton({ kind }: { kind: 'products' | 'orders' }) {
  const { filterValues } = useListContext();
  const data = useAdminData();
  const notify = useNotify();
  return (
    <Button
      label="Export CSV"
      onClick={async () => {
        try {
          const { blob, filename } = await data.exportCsv(kind, filterValues);
          saveBlob(blob, filename);
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

/** A new Idempotency-Key per refund attempt (kept while the dialog is open, so a double click is one refund). */
export const newIdempotencyKey = () => crypto.randomUUID();
