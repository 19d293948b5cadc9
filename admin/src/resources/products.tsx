// Products: server-side list (search, filters, sorting, bulk actions, CSV export), create/edit with variants
// and images on the product page, soft delete and restore.
import { Box, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField as MuiTextField, Typography } from '@mui/material';
import { useState } from 'react';
import {
  ArrayInput,
  BooleanField,
  BooleanInput,
  Button,
  Create,
  CreateButton,
  Datagrid,
  DateField,
  DeleteButton,
  Edit,
  FilterButton,
  List,
  NullableBooleanInput,
  NumberField,
  NumberInput,
  ReferenceInput,
  required,
  SaveButton,
  SearchInput,
  SelectInput,
  SimpleForm,
  SimpleFormIterator,
  TextField,
  TextInput,
  Toolbar,
  TopToolbar,
  useGetList,
  useListContext,
  useNotify,
  useRecordContext,
  useRefresh,
  useUnselectAll,
} from 'react-admin';
import { ConfirmButton, CsvExportButton, MoneyField, useAdminData } from '../components';

const productFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search products" />,
  <ReferenceInput key="category" source="category" reference="categories" perPage={500}>
    <SelectInput optionText="name" label="Category" />
  </ReferenceInput>,
  <NullableBooleanInput key="is_featured" source="is_featured" label="Featured" />,
  <NullableBooleanInput key="in_stock" source="in_stock" label="In stock" />,
  <NullableBooleanInput key="is_active" source="is_active" label="Published" />,
  <NullableBooleanInput key="is_deleted" source="is_deleted" label="Deleted" />,
];

function ListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
      <Button label="Import CSV" to="/import" />
      <CsvExportButton kind="products" />
    </TopToolbar>
  );
}

/** One bulk call for the selected products; the API applies it in one transaction. */
function BulkButton({ action, label, extra }: { action: string; label: string; extra?: Record<string, unknown> }) {
  const { selectedIds } = useListContext();
  const data = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  const unselectAll = useUnselectAll('products');
  return (
    <Button
      label={label}
      onClick={async () => {
        try {
          const result = await data.bulkProducts(selectedIds, action, extra);
          notify(`${result.updated} products updated`, { type: 'success' });
          unselectAll();
          refresh();
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

function MoveToCategoryButton() {
  const [open, setOpen] = useState(false);
  const [categoryId, setCategoryId] = useState('');
  const { data: categories } = useGetList('categories', { pagination: { page: 1, perPage: 1000 } }, { enabled: open });
  return (
    <>
      <Button label="Move to category" onClick={() => setOpen(true)} />
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="move-title">
        <DialogTitle id="move-title">Move to category</DialogTitle>
        <DialogContent>
          <MuiTextField
            select
            fullWidth
            label="Category"
            value={categoryId}
            onChange={(e) => setCategoryId(e.target.value)}
            sx={{ mt: 1, minWidth: 280 }}
          >
            <MenuItem value="none">No category</MenuItem>
            {(categories ?? []).map((c) => (
              <MenuItem key={c.id} value={c.uuid}>
                {`${'— '.repeat(c.depth ?? 0)}${c.name}`}
              </MenuItem>
            ))}
          </MuiTextField>
        </DialogContent>
        <DialogActions onClick={() => setOpen(false)}>
          <Button label="Cancel" />
          {categoryId ? (
            <BulkButton action="move_category" label="Move" extra={{ category_id: categoryId === 'none' ? null : categoryId }} />
          ) : null}
        </DialogActions>
      </Dialog>
    </>
  );
}

function AdjustPriceButton() {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [value, setValue] = useState('');
  const valid = /^[-+]?\d+(\.\d{1,2})?$/.test(value);
  return (
    <>
      <Button label="Change price" onClick={() => setOpen(true)} />
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="price-title">
        <DialogTitle id="price-title">Change price of the selected products</DialogTitle>
        <DialogContent sx={{ display: 'flex', gap: 2, pt: 1 }}>
          <MuiTextField select label="By" value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'amount')} sx={{ mt: 1 }}>
            <MenuItem value="percent">Percent</MenuItem>
            <MenuItem value="amount">Amount</MenuItem>
          </MuiTextField>
          <MuiTextField
            label={kind === 'percent' ? 'Percent (e.g. -10)' : 'Amount (e.g. -2.00)'}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            error={value !== '' && !valid}
            helperText={value !== '' && !valid ? 'A signed number such as -10 or 2.50' : ' '}
            sx={{ mt: 1 }}
          />
        </DialogContent>
        <DialogActions onClick={() => setOpen(false)}>
          <Button label="Cancel" />
          {valid ? <BulkButton action="adjust_price" label="Apply" extra={{ [kind]: value }} /> : null}
        </DialogActions>
      </Dialog>
    </>
  );
}

function ProductBulkActions() {
  return (
    <>
      <BulkButton action="publish" label="Publish" />
      <BulkButton action="unpublish" label="Unpublish" />
      <BulkButton action="feature" label="Feature" />
      <BulkButton action="unfeature" label="Unfeature" />
      <MoveToCategoryButton />
      <AdjustPriceButton />
    </>
  );
}

function ProductList() {
  return (
    <List
      filters={productFilters}
      actions={<ListActions />}
      sort={{ field: 'created_at', order: 'DESC' }}
      perPage={25}
      exporter={false}
      empty={false}
    >
      <Datagrid rowClick="edit" bulkActionButtons={<ProductBulkActions />}>
        <TextField source="name" />
        <TextField source="sku" label="SKU" sortable={false} />
        <TextField source="category.name" label="Category" sortable={false} />
        <MoneyField source="price" />
        <NumberField source="stock_quantity" label="Stock" sortable={false} />
        <BooleanField source="is_active" label="Published" sortable={false} />
        <BooleanField source="is_featured" label="Featured" sortable={false} />
        <DateField source="deleted_at" label="Deleted" sortable={false} emptyText="" />
        <DateField source="created_at" label="Created" />
      </Datagrid>
    </List>
  );
}

const money = (value: string) => (value && !/^\d+(\.\d{1,2})?$/.test(value) ? 'Enter an amount such as 19.99' : undefined);

function VariantsInput() {
  return (
    <ArrayInput source="variants" label="Variants">
      <SimpleFormIterator inline disableReordering>
        <TextInput source="sku" label="SKU" validate={required()} helperText={false} />
        <TextInput source="name" label="Name" helperText={false} />
        <TextInput source="price_override" label="Price (blank = product)" validate={money} helperText={false} />
        <NumberInput source="stock_quantity" label="Stock" min={0} defaultValue={0} helperText={false} />
        <NumberInput source="low_stock_threshold" label="Low stock at" min={0} defaultValue={5} helperText={false} />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

function ProductFields() {
  return (
    <>
      <TextInput source="name" validate={required()} fullWidth />
      <TextInput source="slug" helperText="Blank: made from the name" />
      <TextInput source="description" multiline fullWidth minRows={3} />
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        <TextInput source="price" validate={[required(), money]} />
        <TextInput source="compare_at_price" label="Compare-at price" validate={money} />
        <ReferenceInput source="category_slug" reference="categories" perPage={500}>
          <SelectInput optionText="name" label="Category" emptyText="No category" />
        </ReferenceInput>
      </Box>
      <Box sx={{ display: 'flex', gap: 2 }}>
        <BooleanInput source="is_active" label="Published" defaultValue={true} />
        <BooleanInput source="is_featured" label="Featured" defaultValue={false} />
      </Box>
      <VariantsInput />
    </>
  );
}

export function ProductCreate() {
  return (
    <Create redirect="edit">
      <SimpleForm defaultValues={{ is_active: true, is_featured: false, variants: [] }}>
        <ProductFields />
      </SimpleForm>
    </Create>
  );
}

/** Images of the product: upload with a preview first, reorder, delete (each asks the API directly). */
function ImagesPanel() {
  const record = useRecordContext();
  const data = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  const [file, setFile] = useState<File | undefined>();
  const [preview, setPreview] = useState<string | undefined>();
  if (!record) return null;
  const images: Array<{ id: string; thumbnail_url: string; alt_text: string }> = record.images ?? [];
  const slug = String(record.id);
  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      notify(done, { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  const move = (index: number, delta: number) => {
    const ids = images.map((i) => i.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + delta, 0, moved as string);
    return run(() => data.reorderImages(slug, ids), 'Images reordered');
  };
  return (
    <Box sx={{ mt: 2, width: '100%' }}>
      <Typography variant="h6" component="h2">
        Images
      </Typography>
      {images.length === 0 ? <Typography color="text.secondary">No images yet.</Typography> : null}
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mt: 1 }}>
        {images.map((image, index) => (
          <Box key={image.id} data-testid="product-image" sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}>
            <img src={image.thumbnail_url} alt={image.alt_text || `Image ${index + 1}`} width={120} height={120} style={{ objectFit: 'cover' }} />
            <Box sx={{ display: 'flex' }}>
              <Button label="←" aria-label="Move image earlier" disabled={index === 0} onClick={() => move(index, -1)} />
              <Button label="→" aria-label="Move image later" disabled={index === images.length - 1} onClick={() => move(index, 1)} />
              <ConfirmButton
                label="Delete"
                title="Delete this image?"
                content="The image is removed from the product and its file deleted."
                color="error"
                onConfirm={() => run(() => data.deleteImage(slug, image.id), 'Image deleted')}
              />
            </Box>
          </Box>
        ))}
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 2 }}>
        <label htmlFor="image-file">
          <Typography component="span">Add an image: </Typography>
        </label>
        <input
          id="image-file"
          type="file"
          accept="image/jpeg,image/png,image/webp,image/gif"
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            setFile(chosen);
            if (preview) URL.revokeObjectURL(preview);
            setPreview(chosen ? URL.createObjectURL(chosen) : undefined);
          }}
        />
        {preview ? <img src={preview} alt="Preview of the chosen file" width={80} height={80} style={{ objectFit: 'cover' }} /> : null}
        {file ? (
          <Button
            label="Upload"
            variant="contained"
            onClick={() =>
              run(async () => {
                await data.uploadImage(slug, file);
                setFile(undefined);
                setPreview(undefined);
              }, 'Image uploaded')
            }
          />
        ) : null}
      </Box>
    </Box>
  );
}

function RestoreButton() {
  const record = useRecordContext();
  const data = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record?.deleted_at) return null;
  return (
    <Button
      label="Restore"
      onClick={async () => {
        try {
          await data.restoreProduct(String(record.id));
          notify('Product restored', { type: 'success' });
          refresh();
        } catch (error) {
          notify((error as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

function ProductEditToolbar() {
  const record = useRecordContext();
  return (
    <Toolbar sx={{ display: 'flex', justifyContent: 'space-between' }}>
      <SaveButton />
      {record?.deleted_at ? (
        <RestoreButton />
      ) : (
        <DeleteButton
          mutationMode="pessimistic"
          confirmTitle="Delete this product?"
          confirmContent="It disappears from the shop; you can restore it later."
        />
      )}
    </Toolbar>
  );
}

function ProductTitle() {
  const record = useRecordContext();
  return <span>{record ? `Product ${record.name}${record.deleted_at ? ' (deleted)' : ''}` : 'Product'}</span>;
}

export function ProductEdit() {
  return (
    <Edit mutationMode="pessimistic" title={<ProductTitle />}>
      <SimpleForm toolbar={<ProductEditToolbar />}>
        <ProductFields />
        <ImagesPanel />
      </SimpleForm>
    </Edit>
  );
}

export const productsResource = {
  list: ProductList,
  create: ProductCreate,
  edit: ProductEdit,
  recordRepresentation: 'name',
};
