// Audit log (admins): who called which staff route with which ids; filter by actor and date.
import { Datagrid, DateField, DateTimeInput, List, NumberField, TextField, TextInput } from 'react-admin';

const auditFilters = [
  <TextInput key="actor" source="actor" label="Actor id" alwaysOn />,
  <DateTimeInput key="since" source="since" label="Since" alwaysOn parse={(v: string) => (v ? new Date(v).toISOString() : v)} />,
  <DateTimeInput key="until" source="until" label="Until" parse={(v: string) => (v ? new Date(v).toISOString() : v)} />,
];

function AuditList() {
  return (
    <List filters={auditFilters} perPage={50} exporter={false} sort={{ field: 'id', order: 'ASC' }}>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DateField source="created_at" label="When" showTime sortable={false} />
        <TextField source="actor_id" label="Actor" sortable={false} />
        <TextField source="method" sortable={false} />
        <TextField source="path" sortable={false} />
        <NumberField source="status_code" label="Status" sortable={false} />
        <TextField source="request_id" label="Request" sortable={false} />
      </Datagrid>
    </List>
  );
}

export const auditResource = { list: AuditList, options: { label: 'Audit log' } };
