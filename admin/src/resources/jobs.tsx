// Background jobs: failed and dead jobs with their last error; retry one (POST /admin/jobs/{id}/retry/).
import {
  Button,
  Datagrid,
  DateField,
  List,
  NumberField,
  SelectInput,
  TextField,
  TextInput,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { StatusField, useAdminData } from '../components';

const jobFilters = [
  <SelectInput
    key="status"
    source="status"
    alwaysOn
    choices={['failed', 'dead', 'pending', 'running', 'done'].map((s) => ({ id: s, name: s }))}
  />,
  <TextInput key="type" source="type" label="Type" />,
];

function RetryButton() {
  const record = useRecordContext();
  const data = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return null;
  const retryable = record.status === 'dead' || (record.status === 'pending' && record.last_error);
  if (!retryable) return null;
  return (
    <Button
      label="Retry"
      onClick={async (event) => {
        event.stopPropagation();
        try {
          await data.retryJob(String(record.id));
          notify('Job queued again', { type: 'success' });
          refresh();
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

function JobList() {
  return (
    <List filters={jobFilters} filterDefaultValues={{ status: 'dead' }} perPage={25} exporter={false} sort={{ field: 'id', order: 'ASC' }}>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="type" sortable={false} />
        <StatusField source="status" label="Status" />
        <NumberField source="attempts" sortable={false} />
        <TextField source="last_error" label="Last error" sortable={false} emptyText="—" />
        <TextField source="payload_summary" label="Payload" sortable={false} />
        <DateField source="updated_at" label="Updated" showTime sortable={false} />
        <RetryButton />
      </Datagrid>
    </List>
  );
}

export const jobsResource = { list: JobList };
