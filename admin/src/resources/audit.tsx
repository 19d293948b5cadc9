// Audit log (admins): who called which staff route with which ids, newest first; filter by the acting staff
// member (picked by email, sent as the API's `actor` id) and by a date range.
import {
  AutocompleteInput,
  Datagrid,
  DateField,
  DateTimeInput,
  List,
  NumberField,
  ReferenceField,
  ReferenceInput,
  TextField,
} from 'react-admin';

const toIso = (v: string) => (v ? new Date(v).toISOString() : v);

const auditFilters = [
  <ReferenceInput key="actor" source="actor" reference="customers" filter={{ is_staff: true }} sort={{ field: 'email', order: 'ASC' }} alwaysOn>
    <AutocompleteInput label="Actor" optionText="email" filterToQuery={(q: string) => ({ q })} sx={{ minWidth: 280 }} />
  </ReferenceInput>,
  <DateTimeInput key="since" source="since" label="Since" alwaysOn parse={toIso} />,
  <DateTimeInput key="until" source="until" label="Until" alwaysOn parse={toIso} />,
];

function AuditList() {
  return (
    <List filters={auditFilters} perPage={50} exporter={false} sort={{ field: 'id', order: 'ASC' }} title="Audit log">
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DateField source="created_at" label="When" showTime sortable={false} />
        <ReferenceField source="actor_id" reference="customers" label="Actor" sortable={false} link="show">
          <TextField source="email" />
        </ReferenceField>
        <TextField source="method" sortable={false} />
        <TextField source="path" sortable={false} />
        <NumberField source="status_code" label="Status" sortable={false} />
        <TextField source="request_id" label="Request" sortable={false} />
      </Datagrid>
    </List>
  );
}

export const auditResource = { list: AuditList, options: { label: 'Audit log' } };
