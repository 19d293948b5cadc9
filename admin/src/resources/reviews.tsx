// Review moderation across products: newest first, filter by rating or visibility, hide/unhide or delete.
// The API keeps the product's rating and review count right when a review is hidden or deleted.
import {
  BooleanField,
  Button,
  Datagrid,
  DateField,
  DeleteButton,
  List,
  NullableBooleanInput,
  NumberField,
  SelectInput,
  TextField,
  useNotify,
  useRecordContext,
  useUpdate,
} from 'react-admin';

const reviewFilters = [
  <SelectInput key="rating" source="rating" alwaysOn choices={[1, 2, 3, 4, 5].map((n) => ({ id: n, name: `${n} ★` }))} />,
  <NullableBooleanInput key="is_hidden" source="is_hidden" label="Hidden" alwaysOn />,
];

function HideButton() {
  const record = useRecordContext();
  const [update, { isPending }] = useUpdate();
  const notify = useNotify();
  if (!record) return null;
  const hidden = !!record.is_hidden;
  return (
    <Button
      label={hidden ? 'Unhide' : 'Hide'}
      disabled={isPending}
      onClick={(event) => {
        event.stopPropagation();
        update(
          'reviews',
          { id: record.id, data: { is_hidden: !hidden }, previousData: record },
          {
            mutationMode: 'pessimistic',
            onSuccess: () => notify(hidden ? 'Review visible again' : 'Review hidden', { type: 'success' }),
            onError: (error) => notify((error as Error).message, { type: 'error' }),
          },
        );
      }}
    />
  );
}

function ReviewList() {
  return (
    <List filters={reviewFilters} perPage={25} exporter={false} sort={{ field: 'id', order: 'ASC' }}>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DateField source="created_at" label="Date" sortable={false} />
        <TextField source="product.name" label="Product" sortable={false} />
        <TextField source="user_name" label="Customer" sortable={false} />
        <NumberField source="rating" sortable={false} />
        <TextField source="title" sortable={false} />
        <TextField source="body" sortable={false} />
        <BooleanField source="is_verified_purchase" label="Verified" sortable={false} />
        <BooleanField source="is_hidden" label="Hidden" sortable={false} />
        <HideButton />
        <DeleteButton mutationMode="pessimistic" confirmTitle="Delete this review?" confirmContent="The review is removed for good." />
      </Datagrid>
    </List>
  );
}

export const reviewsResource = { list: ReviewList };
