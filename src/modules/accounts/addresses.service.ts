// The address book: each user's addresses, with at most one default shipping and one default billing address.
// Setting a default unsets the previous one in the same transaction (partial unique indexes back the rule).
import type { AppContext } from '../../core/context.js';
import type { Db } from '../../core/db.js';
import { Conflict, isUniqueViolation, NotFound } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { lockUser } from './accounts.repo.js';
import type { AddressInputBody, AddressPatchBody } from './accounts.schemas.js';
import type { AddressRow } from './accounts.tables.js';
import * as repo from './addresses.repo.js';

function valuesOf(input: AddressPatchBody): Partial<repo.AddressValues> {
  const trim = (v: string | undefined) => v?.trim();
  return {
    fullName: trim(input.full_name),
    phone: trim(input.phone),
    line1: trim(input.line1),
    line2: trim(input.line2),
    city: trim(input.city),
    state: trim(input.state),
    postalCode: trim(input.postal_code),
    country: input.country?.toUpperCase(),
    isDefaultShipping: input.is_default_shipping,
    isDefaultBilling: input.is_default_billing,
  };
}

/** PUT replaces the whole address: omitted optional fields go back to their defaults. */
function fullValuesOf(input: AddressInputBody): repo.AddressValues {
  return {
    ...(valuesOf(input) as repo.AddressValues),
    phone: input.phone?.trim() ?? '',
    line2: input.line2?.trim() ?? '',
    state: input.state?.trim() ?? '',
    isDefaultShipping: input.is_default_shipping ?? false,
    isDefaultBilling: input.is_default_billing ?? false,
  };
}

const notFound = () => new NotFound('Address not found.');

/** Runs a write with the user's row locked, after unsetting the defaults this write takes over. */
async function writeWithDefaults<T>(
  ctx: AppContext,
  userId: string,
  values: Partial<repo.AddressValues>,
  keepId: string | undefined,
  write: (tx: Db) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.db.transaction(async (tx) => {
      await lockUser(tx, userId); // concurrent default changes of one user run one after the other
      if (values.isDefaultShipping) await repo.clearDefault(tx, userId, 'shipping', keepId);
      if (values.isDefaultBilling) await repo.clearDefault(tx, userId, 'billing', keepId);
      return write(tx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('Another default address was set at the same time; retry.');
    throw error;
  }
}

export async function listAddresses(ctx: AppContext, userId: string, page: PageRequest) {
  const { count, rows } = await repo.listAddresses(ctx.db, userId, page.pageSize, page.offset);
  return { count, results: rows };
}

export async function getAddress(ctx: AppContext, userId: string, id: string): Promise<AddressRow> {
  const row = await repo.findAddress(ctx.db, userId, id);
  if (!row) throw notFound();
  return row;
}

export function createAddress(ctx: AppContext, userId: string, input: AddressInputBody): Promise<AddressRow> {
  const values = fullValuesOf(input);
  return writeWithDefaults(ctx, userId, values, undefined, (tx) => repo.insertAddress(tx, userId, values));
}

export async function updateAddress(
  ctx: AppContext,
  userId: string,
  id: string,
  input: AddressInputBody | AddressPatchBody,
  mode: 'replace' | 'patch',
): Promise<AddressRow> {
  const values = mode === 'replace' ? fullValuesOf(input as AddressInputBody) : valuesOf(input);
  const row = await writeWithDefaults(ctx, userId, values, id, async (tx) => {
    // unsetting defaults of the user is only right when the address really is theirs; else roll back
    const updated = await repo.updateAddress(tx, userId, id, values);
    if (!updated) throw notFound();
    return updated;
  });
  return row;
}

export async function deleteAddress(ctx: AppContext, userId: string, id: string): Promise<void> {
  if (!(await repo.deleteAddress(ctx.db, userId, id))) throw notFound();
}

export interface AddressSnapshot {
  fullName: string;
  phone: string;
  line1: string;
  line2: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

/**
 * For other modules (checkout): one of the user's addresses as plain values to copy into an order, or
 * undefined when it does not exist or belongs to someone else. `{ default: kind }` picks the user's default.
 */
export async function getAddressForUser(
  db: Db,
  userId: string,
  addressId: string | { default: 'shipping' | 'billing' },
): Promise<(AddressSnapshot & { id: string }) | undefined> {
  const row =
    typeof addressId === 'string'
      ? await repo.findAddress(db, userId, addressId)
      : await repo.findDefaultAddress(db, userId, addressId.default);
  if (!row) return undefined;
  const { id, fullName, phone, line1, line2, city, state, postalCode, country } = row;
  return { id, fullName, phone, line1, line2, city, state, postalCode, country };
}
