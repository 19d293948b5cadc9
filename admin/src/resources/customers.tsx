// Customers (GET/PATCH /users/): list and search, detail with their orders and their address book
// (GET /users/{id}/addresses/), deactivate/reactivate, and for admins granting or removing staff rights.
import { Typography } from '@mui/material';
import {
  BooleanField,
  Datagrid,
  DateField,
  EmailField,
  List,
  NullableBooleanInput,
  ReferenceManyField,
  SearchInput,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  usePermissions,
  useRecordContext,
  useUpdate,
  useNotify,
} from 'react-admin';
import { ConfirmButton, MoneyField, StatusField } from '../components';

const customerFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search by email or name" />,
  <NullableBooleanInput key="is_staff" source="is_staff" label="Staff" />,
  <NullableBooleanInput key="is_active" source="is_active" label="Active" />,
];

function CustomerList() {
  return (
    <List filters={customerFilters} perPage={25} exporter={false} sort={{ field: 'date_joined', order: 'DESC' }}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <EmailField source="email" />
        <TextField source="first_name" label="First name" sortable={false} />
        <TextField source="last_name" label="Last name" sortable={false} />
        <BooleanField source="is_active" label="Active" sortable={false} />
        <BooleanField source="is_staff" label="Staff" sortable={false} />
        <DateField source="date_joined" label="Joined" />
      </Datagrid>
    </List>
  );
}

function ToggleButton({ field, on, off, title }: { field: 'is_active' | 'is_staff'; on: string; off: string; title: string }) {
  const record = useRecordContext();
  const [update] = useUpdate();
  const notify = useNotify();
  if (!record) return null;
  const value = !!record[field];
  return (
    <ConfirmButton
      label={value ? off : on}
      color={value ? 'error' : 'primary'}
      title={`${value ? off : on}: ${record.email}?`}
      content={title}
      onConfirm={async () => {
        await update(
          'customers',
          { id: record.id, data: { [field]: !value }, previousData: record },
          {
            mutationMode: 'pessimistic',
            onSuccess: () => notify('Saved', { type: 'success' }),
            onError: (error) => notify((error as Error).message, { type: 'error' }),
          },
        );
      }}
    />
  );
}

function CustomerActions() {
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      <ToggleButton field="is_active" on="Reactivate" off="Deactivate" title="A deactivated account is signed out at once and cannot sign in." />
      {permissions === 'admin' ? (
        <ToggleButton field="is_staff" on="Grant staff" off="Remove staff" title="Staff can use this admin and the staff API." />
      ) : null}
    </TopToolbar>
  );
}

function AddressLines(_props: { label?: string }) {
  const record = useRecordContext();
  if (!record) return null;
  return <span>{[record.line1, record.line2, record.state].filter(Boolean).join(', ')}</span>;
}

function DefaultsField(_props: { label?: string }) {
  const record = useRecordContext();
  if (!record) return null;
  const kinds = [record.is_default_shipping && 'shipping', record.is_default_billing && 'billing'].filter(Boolean);
  return <span>{kinds.length ? `Default ${kinds.join(' and ')}` : ''}</span>;
}

function CustomerShow() {
  return (
    <Show actions={<CustomerActions />}>
      <SimpleShowLayout>
        <EmailField source="email" />
        <TextField source="first_name" label="First name" />
        <TextField source="last_name" label="Last name" />
        <BooleanField source="is_active" label="Active" />
        <BooleanField source="is_staff" label="Staff" />
        <BooleanField source="is_email_verified" label="Email verified" />
        <DateField source="date_joined" label="Joined" showTime />
        <Typography variant="h6" component="h2">
          Orders
        </Typography>
        <ReferenceManyField reference="orders" target="user" label={false} empty={<Typography variant="body2">No orders yet.</Typography>}>
          <Datagrid rowClick="show" bulkActionButtons={false}>
            <TextField source="order_number" label="Number" />
            <DateField source="created_at" label="Placed" />
            <StatusField source="status" label="Status" />
            <MoneyField source="total" label="Total" />
            <TextField source="shipping_address.city" label="Ship to" />
          </Datagrid>
        </ReferenceManyField>
        <Typography variant="h6" component="h2">
          Addresses
        </Typography>
        <ReferenceManyField
          reference="addresses"
          target="user"
          label={false}
          perPage={50}
          empty={<Typography variant="body2">No saved addresses.</Typography>}
        >
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="full_name" label="Name" sortable={false} />
            <AddressLines label="Address" />
            <TextField source="city" sortable={false} />
            <TextField source="postal_code" label="Postal code" sortable={false} />
            <TextField source="country" sortable={false} />
            <TextField source="phone" sortable={false} />
            <DefaultsField label="Default" />
          </Datagrid>
        </ReferenceManyField>
      </SimpleShowLayout>
    </Show>
  );
}

export const customersResource = { list: CustomerList, show: CustomerShow, recordRepresentation: 'email' };
