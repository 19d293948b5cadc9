// TypeBox schemas of the accounts API (request bodies and responses), in the DRF shapes old clients expect.
import { type Static, Type } from 'typebox';
import { Timestamp, Uuid } from '../../core/http.js';

const Email = Type.String({ format: 'email', maxLength: 254, description: 'Stored lower-cased; the username' });
// bounded so a huge body cannot make argon2 work for nothing; the rules (length, common...) are checked in code
const Password = Type.String({ minLength: 1, maxLength: 4096 });
const Name = Type.String({ maxLength: 150 });
const Detail = Type.Object({ detail: Type.String() });

export const User = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    is_email_verified: Type.Boolean(),
    is_staff: Type.Boolean(),
    date_joined: Timestamp,
  },
  { title: 'User' },
);
export type UserBody = Static<typeof User>;

export const Profile = Type.Object(
  {
    ...User.properties,
    phone: Type.String(),
    date_of_birth: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    avatar: Type.String({ description: 'URL of the avatar image' }),
    bio: Type.String(),
  },
  { title: 'Profile' },
);
export type ProfileBody = Static<typeof Profile>;

export const StaffUserView = Type.Object(
  {
    ...User.properties,
    is_superuser: Type.Boolean(),
    is_active: Type.Boolean(),
    last_login: Type.Union([Timestamp, Type.Null()]),
  },
  { title: 'StaffUserView' },
);
export type StaffUserBody = Static<typeof StaffUserView>;

export const RegisterBody = Type.Object({
  email: Email,
  password: Password,
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
});
export const RegisterResponse = Type.Object({ user: User });

export const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Password });
export const TokenPair = Type.Object({ access: Type.String(), refresh: Type.String() });
export const LoginResponse = Type.Object({ access: Type.String(), refresh: Type.String(), user: User });

export const RefreshBody = Type.Object({ refresh: Type.String({ minLength: 1 }) });
export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }) });
export const EmailBody = Type.Object({ email: Email });
export const ResetConfirmBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 256 }), new_password: Password });
export const ChangePasswordBody = Type.Object({ old_password: Password, new_password: Password });
export const ChangePasswordResponse = Type.Object({ detail: Type.String(), access: Type.String(), refresh: Type.String() });
export { Detail };

export const ProfilePatch = Type.Object({
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
  phone: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9+()\\-. ]*$' })),
  date_of_birth: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  avatar: Type.Optional(Type.String({ maxLength: 500 })),
  bio: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type ProfilePatchBody = Static<typeof ProfilePatch>;

export const UserListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  search: Type.Optional(
    Type.String({ maxLength: 100, description: 'Matches email, first or last name (case-insensitive, substring)' }),
  ),
  is_staff: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  ordering: Type.Optional(
    Type.Union([Type.Literal('date_joined'), Type.Literal('-date_joined'), Type.Literal('email'), Type.Literal('-email')], {
      description: 'Default -date_joined (newest first)',
    }),
  ),
});

export const StaffUserParams = Type.Object({ id: Type.String({ maxLength: 64, description: 'User id (uuid)' }) });

export const StaffUserPatch = Type.Object({
  is_active: Type.Optional(Type.Boolean({ description: 'false deactivates the account and ends its sessions' })),
  is_staff: Type.Optional(Type.Boolean({ description: 'Admins only: grant or remove staff rights (removal ends the sessions)' })),
});
export type StaffUserPatchBody = Static<typeof StaffUserPatch>;

// --- addresses ------------------------------------------------------------------------------------------------

const addressFields = {
  full_name: Type.String({ minLength: 1, maxLength: 200 }),
  phone: Type.String({ maxLength: 32 }),
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: Type.String({ maxLength: 200 }),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  state: Type.String({ maxLength: 100 }),
  postal_code: Type.String({ minLength: 1, maxLength: 20 }),
  country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 code' }),
  is_default_shipping: Type.Boolean(),
  is_default_billing: Type.Boolean(),
};

export const Address = Type.Object(
  { id: Uuid, ...addressFields, created_at: Timestamp, updated_at: Timestamp },
  { title: 'Address' },
);
export type AddressBody = Static<typeof Address>;

/** POST and PUT: the required fields must be present; the rest default to '' / false. */
export const AddressInput = Type.Object({
  full_name: addressFields.full_name,
  phone: Type.Optional(addressFields.phone),
  line1: addressFields.line1,
  line2: Type.Optional(addressFields.line2),
  city: addressFields.city,
  state: Type.Optional(addressFields.state),
  postal_code: addressFields.postal_code,
  country: addressFields.country,
  is_default_shipping: Type.Optional(addressFields.is_default_shipping),
  is_default_billing: Type.Optional(addressFields.is_default_billing),
});
export type AddressInputBody = Static<typeof AddressInput>;

export const AddressPatch = Type.Partial(AddressInput);
export type AddressPatchBody = Static<typeof AddressPatch>;
