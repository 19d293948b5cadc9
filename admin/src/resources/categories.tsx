// Categories: the tree (flattened with indentation, as the API returns it whole), create/edit/move/delete.
// The API refuses to delete a category that still has products or children; its message is shown as is.
import { Box } from '@mui/material';
import {
  BooleanField,
  BooleanInput,
  Create,
  Datagrid,
  DeleteButton,
  Edit,
  List,
  NumberInput,
  ReferenceInput,
  required,
  SearchInput,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  useRecordContext,
} from 'react-admin';

function TreeName(_props: { label?: string }) {
  const record = useRecordContext();
  if (!record) return null;
  return <Box component="span" sx={{ pl: (record.depth ?? 0) * 3 }}>{record.name}</Box>;
}

function CategoryList() {
  return (
    <List filters={[<SearchInput key="q" source="q" alwaysOn />]} perPage={100} pagination={false} exporter={false} sort={{ field: 'id', order: 'ASC' }}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TreeName label="Name" />
        <TextField source="slug" sortable={false} />
        <BooleanField source="is_active" label="Active" sortable={false} />
        <DeleteButton mutationMode="pessimistic" confirmTitle="Delete this category?" confirmContent="Its products become uncategorized. A category with subcategories cannot be deleted: move or delete them first." />
      </Datagrid>
    </List>
  );
}

function CategoryFields() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="slug" helperText="Blank: made from the name" />
      <TextInput source="description" multiline fullWidth />
      <ReferenceInput source="parent_slug" reference="categories" perPage={1000}>
        <SelectInput optionText="name" label="Parent (move)" emptyText="Top level" />
      </ReferenceInput>
      <NumberInput source="position" min={0} />
      <BooleanInput source="is_active" label="Active" defaultValue={true} />
    </>
  );
}

function CategoryCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <CategoryFields />
      </SimpleForm>
    </Create>
  );
}

function CategoryEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect="list">
      <SimpleForm>
        <CategoryFields />
      </SimpleForm>
    </Edit>
  );
}

export const categoriesResource = { list: CategoryList, create: CategoryCreate, edit: CategoryEdit, recordRepresentation: 'name' };
