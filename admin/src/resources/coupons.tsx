// Coupons: full CRUD over /coupons/ with how often each was used. Deleting asks first (list and edit page).
import {
  BooleanField,
  BooleanInput,
  BulkDeleteButton,
  Create,
  Datagrid,
  DateField,
  DateTimeInput,
  DeleteButton,
  Edit,
  List,
  NullableBooleanInput,
  NumberField,
  NumberInput,
  required,
  SaveButton,
  SearchInput,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  Toolbar,
} from 'react-admin';
import { MoneyField } from '../components';

const couponFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search codes" />,
  <NullableBooleanInput key="is_active" source="is_active" label="Active" />,
];

const DELETE_CONTENT = 'Checkout no longer accepts the code. This cannot be undone.';

function CouponList() {
  return (
    <List filters={couponFilters} perPage={25} exporter={false} sort={{ field: 'created_at', order: 'DESC' }}>
      <Datagrid
        rowClick="edit"
        bulkActionButtons={<BulkDeleteButton mutationMode="pessimistic" confirmTitle="Delete the selected coupons?" confirmContent={DELETE_CONTENT} />}
      >
        <TextField source="code" />
        <TextField source="discount_type" label="Type" sortable={false} />
        <TextField source="value" sortable={false} />
        <NumberField source="used_count" label="Used" />
        <NumberField source="usage_limit" label="Limit" sortable={false} emptyText="∞" />
        <BooleanField source="is_active" label="Active" sortable={false} />
        <DateField source="valid_to" label="Valid until" sortable={false} emptyText="—" />
      </Datagrid>
    </List>
  );
}

const money = (value: string) => (value && !/^\d+(\.\d{1,2})?$/.test(value) ? 'Enter an amount such as 10.00' : undefined);

function CouponFields() {
  return (
    <>
      <TextInput source="code" validate={required()} />
      <TextInput source="description" fullWidth />
      <SelectInput
        source="discount_type"
        label="Discount type"
        validate={required()}
        choices={[
          { id: 'percentage', name: 'Percentage' },
          { id: 'fixed', name: 'Fixed amount' },
        ]}
      />
      <TextInput source="value" validate={[required(), money]} helperText="Percent (12.5) or amount (10.00)" />
      <TextInput source="minimum_subtotal" label="Minimum subtotal" validate={money} />
      <TextInput source="maximum_discount" label="Maximum discount" validate={money} />
      <DateTimeInput source="valid_from" label="Valid from" />
      <DateTimeInput source="valid_to" label="Valid until" />
      <NumberInput source="usage_limit" label="Usage limit" min={0} />
      <NumberInput source="per_user_limit" label="Per customer limit" min={1} />
      <BooleanInput source="is_active" label="Active" defaultValue={true} />
    </>
  );
}

function CouponCreate() {
  return (
    <Create redirect="list" transform={dropBlanks}>
      <SimpleForm>
        <CouponFields />
      </SimpleForm>
    </Create>
  );
}

function CouponEditToolbar() {
  return (
    <Toolbar sx={{ display: 'flex', justifyContent: 'space-between' }}>
      <SaveButton />
      <DeleteButton mutationMode="pessimistic" confirmTitle="Delete this coupon?" confirmContent={DELETE_CONTENT} />
    </Toolbar>
  );
}

function CouponEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list">
      <SimpleForm toolbar={<CouponEditToolbar />}>
        <CouponFields />
      </SimpleForm>
    </Edit>
  );
}

/** A new coupon leaves blank fields to the API's defaults (no limit, no dates). */
function dropBlanks(data: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null && v !== ''));
}

export const couponsResource = { list: CouponList, create: CouponCreate, edit: CouponEdit, recordRepresentation: 'code' };
