// Orders: list filtered by status, dates, customer email and number (server-side), CSV export of the same
// filter; the order page with items, totals, addresses, payments, status history, and the actions the
// order's state allows (mark paid, next status with a note, cancel, full or partial refund).
import {
  Box,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
  TextField as MuiTextField,
  Stack,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import {
  ArrayField,
  Button,
  Datagrid,
  DateField,
  DateInput,
  FilterButton,
  List,
  NumberField,
  ReferenceManyField,
  SelectInput,
  Show,
  TextField,
  TextInput,
  TopToolbar,
  useGetManyReference,
  useNotify,
  useRecordContext,
  useRefresh,
  useShowContext,
} from 'react-admin';
import { ConfirmButton, CsvExportButton, MoneyField, NEXT_STATUS, newIdempotencyKey, StatusField, statusChoices, useAdminData } from '../components';

const orderFilters = [
  <SelectInput key="status" source="status" choices={statusChoices} alwaysOn />,
  <TextInput key="email" source="email" label="Customer email" alwaysOn />,
  <TextInput key="order_number" source="order_number" label="Order number" />,
  <DateInput key="created_after" source="created_after" label="Placed from" />,
  <DateInput key="created_before" source="created_before" label="Placed until" />,
];

function OrderListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CsvExportButton kind="orders" />
    </TopToolbar>
  );
}

function OrderList() {
  return (
    <List filters={orderFilters} actions={<OrderListActions />} sort={{ field: 'created_at', order: 'DESC' }} perPage={25} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="order_number" label="Number" />
        <DateField source="created_at" label="Placed" showTime />
        <TextField source="email" label="Customer" sortable={false} />
        <StatusField source="status" label="Status" sortable={false} />
        <TextField source="payment_status" label="Payment" sortable={false} />
        <MoneyField source="total" label="Total" />
      </Datagrid>
    </List>
  );
}

type Json = Record<string, unknown> & { id: string };

function Address({ title, address }: { title: string; address?: Record<string, string> }) {
  if (!address) return null;
  return (
    <Box>
      <Typography variant="subtitle2" component="h3">
        {title}
      </Typography>
      <Typography variant="body2" component="address" sx={{ fontStyle: 'normal', whiteSpace: 'pre-line' }}>
        {[address.full_name, address.line1, address.line2, `${address.postal_code} ${address.city}`, address.state, address.country, address.phone]
          .filter(Boolean)
          .join('\n')}
      </Typography>
    </Box>
  );
}

function Totals() {
  const order = useRecordContext();
  if (!order) return null;
  const rows: Array<[string, string]> = [
    ['Subtotal', order.subtotal],
    ['Discount', order.discount_amount],
    ['Shipping', order.shipping_cost],
    ['Tax', order.tax_amount],
    ['Total', order.total],
  ];
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'auto auto', gap: 0.5, m: 0 }}>
      {rows.map(([label, value]) => (
        <Box key={label} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2">
            {label}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, textAlign: 'right' }} data-testid={`total-${label.toLowerCase()}`}>
            {`${value} ${order.currency}`}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/** The status history as a vertical timeline, oldest first. */
function StatusTimeline() {
  const order = useRecordContext();
  const history: Array<{ id: string; from_status: string | null; status: string; note: string; created_at: string }> =
    order?.status_history ?? [];
  return (
    <Box component="ol" aria-label="Status history" sx={{ listStyle: 'none', p: 0, m: 0, borderLeft: 2, borderColor: 'primary.main' }}>
      {history.map((entry) => (
        <Box component="li" key={entry.id} sx={{ pl: 2, pb: 1.5, position: 'relative' }} data-testid="history-entry">
          <Typography variant="body2" sx={{ fontWeight: 'bold' }}>
            {entry.from_status ? `${entry.from_status} → ${entry.status}` : entry.status}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {new Date(entry.created_at).toLocaleString()}
          </Typography>
          {entry.note ? <Typography variant="body2">{entry.note}</Typography> : null}
        </Box>
      ))}
    </Box>
  );
}

function useRun() {
  const notify = useNotify();
  const refresh = useRefresh();
  return async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      notify(done, { type: 'success' });
      refresh();
      return true;
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
      return false;
    }
  };
}

function NextStatusButton({ next }: { next: string }) {
  const order = useRecordContext();
  const data = useAdminData();
  const run = useRun();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  if (!order) return null;
  return (
    <>
      <Button label={`Mark ${next}`} variant="contained" onClick={() => setOpen(true)} />
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="status-title">
        <DialogTitle id="status-title">{`Move order ${order.order_number} to ${next}`}</DialogTitle>
        <DialogContent>
          <MuiTextField label="Note (optional)" value={note} onChange={(e) => setNote(e.target.value)} fullWidth multiline sx={{ mt: 1 }} />
        </DialogContent>
        <DialogActions>
          <Button label="Cancel" onClick={() => setOpen(false)} />
          <Button
            label="Confirm"
            variant="contained"
            onClick={async () => {
              const body = note ? { status: next, note } : { status: next };
              if (await run(() => data.orderAction(String(order.id), 'status', body), `Order ${next}`)) {
                setOpen(false);
                setNote('');
              }
            }}
          />
        </DialogActions>
      </Dialog>
    </>
  );
}

function RefundButton({ payment }: { payment: Json }) {
  const data = useAdminData();
  const run = useRun();
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const remaining = (Number(payment.amount) - Number(payment.refunded_amount ?? 0)).toFixed(2);
  const valid = amount === '' || /^\d+(\.\d{1,2})?$/.test(amount);
  return (
    <>
      <Button label="Refund" color="error" onClick={() => setOpen(true)} />
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="refund-title">
        <DialogTitle id="refund-title">Refund payment</DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>{`Up to ${remaining} ${payment.currency} can be refunded. Leave the amount blank for all of it.`}</Typography>
          <MuiTextField
            label="Amount"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={!valid}
            helperText={valid ? ' ' : 'An amount such as 5.00'}
            sx={{ mt: 1 }}
          />
          <MuiTextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} fullWidth sx={{ mt: 1 }} />
        </DialogContent>
        <DialogActions>
          <Button label="Cancel" onClick={() => setOpen(false)} />
          <Button
            label="Refund now"
            color="error"
            variant="contained"
            disabled={!valid}
            onClick={async () => {
              const body: Record<string, string> = {};
              if (amount) body.amount = amount;
              if (reason) body.reason = reason;
              if (await run(() => data.refund(payment.id, body, key), 'Refund issued')) {
                setOpen(false);
                setAmount('');
                setKey(newIdempotencyKey());
              }
            }}
          />
        </DialogActions>
      </Dialog>
    </>
  );
}

function PaymentActions() {
  const payment = useRecordContext() as Json | undefined;
  const order = useShowContext().record;
  const data = useAdminData();
  const run = useRun();
  if (!payment || !order) return null;
  const open = ['pending', 'requires_action', 'processing'].includes(String(payment.status));
  const refundable = ['succeeded', 'partially_refunded'].includes(String(payment.status));
  return (
    <Stack direction="row" sx={{ gap: 1 }}>
      {open && payment.provider === 'manual' && !['cancelled', 'refunded'].includes(order.status) ? (
        <Button label="Mark paid" variant="contained" onClick={() => run(() => data.markPaid(payment.id), 'Payment recorded')} />
      ) : null}
      {refundable ? <RefundButton payment={payment} /> : null}
    </Stack>
  );
}

function OrderActions() {
  const order = useRecordContext();
  const data = useAdminData();
  const run = useRun();
  const { total } = useGetManyReference('payments', { target: 'order', id: order?.id, pagination: { page: 1, perPage: 1 } }, { enabled: !!order });
  if (!order) return null;
  const next = NEXT_STATUS[order.status];
  const cancellable = ['pending', 'paid', 'processing'].includes(order.status);
  return (
    <TopToolbar>
      {next ? <NextStatusButton next={next} /> : null}
      {order.status === 'pending' && total === 0 ? <Typography variant="body2">Awaiting a payment from the customer.</Typography> : null}
      {cancellable ? (
        <ConfirmButton
          label="Cancel order"
          color="error"
          title={`Cancel order ${order.order_number}?`}
          content="Stock is restored and a captured payment refunded. This cannot be undone."
          onConfirm={async () => {
            await run(() => data.orderAction(String(order.id), 'cancel', {}), 'Order cancelled');
          }}
        />
      ) : null}
    </TopToolbar>
  );
}

function OrderDetail() {
  const order = useRecordContext();
  if (!order) return null;
  return (
    <Grid container spacing={2} sx={{ p: 2 }}>
      <Grid size={{ xs: 12, md: 8 }}>
        <Typography variant="h6" component="h2">{`Order ${order.order_number}`}</Typography>
        <Stack direction="row" sx={{ gap: 2, alignItems: 'center', my: 1 }}>
          <StatusField source="status" />
          <Typography variant="body2">{`Payment: ${order.payment_status}`}</Typography>
          <Typography variant="body2">{order.email ?? ''}</Typography>
          <DateField source="created_at" showTime />
        </Stack>
        <ArrayField source="items">
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="product_name" label="Product" />
            <TextField source="variant_name" label="Variant" />
            <TextField source="sku" label="SKU" />
            <NumberField source="quantity" />
            <TextField source="unit_price" label="Unit price" />
            <TextField source="line_total" label="Line total" />
          </Datagrid>
        </ArrayField>
        <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
          Payments
        </Typography>
        <ReferenceManyField reference="payments" target="order" empty={<Typography variant="body2">No payment yet.</Typography>}>
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="provider" />
            <TextField source="method" />
            <StatusField source="status" label="Status" />
            <MoneyField source="amount" label="Amount" />
            <MoneyField source="refunded_amount" label="Refunded" />
            <PaymentActions />
          </Datagrid>
        </ReferenceManyField>
      </Grid>
      <Grid size={{ xs: 12, md: 4 }}>
        <Card variant="outlined">
          <CardContent>
            <Totals />
            {order.coupon_code ? <Typography variant="body2" sx={{ mt: 1 }}>{`Coupon: ${order.coupon_code}`}</Typography> : null}
          </CardContent>
        </Card>
        <Stack sx={{ gap: 2, mt: 2 }}>
          <Address title="Shipping address" address={order.shipping_address} />
          <Address title="Billing address" address={order.billing_address} />
          {order.notes ? <Typography variant="body2">{`Customer note: ${order.notes}`}</Typography> : null}
        </Stack>
        <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
          History
        </Typography>
        <StatusTimeline />
      </Grid>
    </Grid>
  );
}

function OrderShow() {
  return (
    <Show actions={<OrderActions />}>
      <OrderDetail />
    </Show>
  );
}

export const ordersResource = { list: OrderList, show: OrderShow, recordRepresentation: 'order_number' };
