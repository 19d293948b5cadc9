// Accounts rows -> the JSON of the accounts API (users, profiles, addresses).
import type { AddressBody, ProfileBody, StaffUserBody, UserBody } from './accounts.schemas.js';
import type { AddressRow, UserRow } from './accounts.tables.js';

export function toUser(row: UserRow): UserBody {
  return {
    id: row.id,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    is_email_verified: row.isEmailVerified,
    is_staff: row.isStaff,
    date_joined: row.dateJoined.toISOString(),
  };
}

/** A user as staff see them: the public fields plus access and activity. */
export function toStaffUser(row: UserRow): StaffUserBody {
  return {
    ...toUser(row),
    is_superuser: row.isSuperuser,
    is_active: row.isActive,
    last_login: row.lastLogin?.toISOString() ?? null,
  };
}

export function toProfile(row: UserRow): ProfileBody {
  return { ...toUser(row), phone: row.phone, date_of_birth: row.dateOfBirth, avatar: row.avatar, bio: row.bio };
}

export function toAddress(row: AddressRow): AddressBody {
  return {
    id: row.id,
    full_name: row.fullName,
    phone: row.phone,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    state: row.state,
    postal_code: row.postalCode,
    country: row.country,
    is_default_shipping: row.isDefaultShipping,
    is_default_billing: row.isDefaultBilling,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
