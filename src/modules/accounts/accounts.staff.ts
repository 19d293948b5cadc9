// Staff management of user accounts: the list, one user, and access changes (deactivate/reactivate, grant or
// remove staff rights). Rules: only an admin (superuser) changes staff rights or the activation of a staff or
// admin account; nobody deactivates or demotes themselves, so the shop cannot lock out its last admin.
// Deactivation and demotion end every session of the user at once (see accounts.sessions.ts).
// Staff also read a user's address book (listAddressesForStaff).
import type { AuthUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { Conflict, Forbidden, NotFound } from '../../core/errors.js';
import { isUuid } from '../../core/http.js';
import type { PageRequest } from '../../core/pagination.js';
import * as repo from './accounts.repo.js';
import type { StaffUserPatchBody } from './accounts.schemas.js';
import { markSessionsEnded } from './accounts.sessions.js';
import type { UserRow } from './accounts.tables.js';
import { revokeAllSessions } from './accounts.tokens.js';
import { listAddresses } from './addresses.service.js';

export async function listUsersForStaff(ctx: AppContext, page: PageRequest, filter: repo.UserListFilter) {
  const { count, rows } = await repo.listUsers(ctx.db, {
    ...filter,
    search: filter.search?.trim() || undefined,
    limit: page.pageSize,
    offset: page.offset,
  });
  return { count, results: rows };
}

/** One user for staff; an id that is not a uuid is simply not found (DRF answers 404, not 400). */
export async function getUserForStaff(ctx: AppContext, id: string): Promise<UserRow> {
  const user = isUuid(id) ? await repo.findUserById(ctx.db, id) : undefined;
  if (!user) throw new NotFound('No user matches the given query.');
  return user;
}

/** A user's address book for staff (defaults first, as the user sees it); an unknown user is 404. */
export async function listAddressesForStaff(ctx: AppContext, id: string, page: PageRequest) {
  const user = isUuid(id) ? await repo.findUserById(ctx.db, id) : undefined;
  if (!user) throw new NotFound('No user matches the given query.');
  return listAddresses(ctx, id, page);
}

/** The refusals of an access change, checked under the row lock (so two admins cannot race past them). */
function checkAccessChange(actor: AuthUser, target: UserRow, patch: StaffUserPatchBody): void {
  if (target.id === actor.id && patch.is_active === false) {
    throw new Conflict('You cannot deactivate your own account.', 'cannot_deactivate_self');
  }
  if (target.id === actor.id && patch.is_staff === false && target.isStaff) {
    throw new Conflict('You cannot remove your own staff rights.', 'cannot_demote_self');
  }
  const activationChanges = patch.is_active !== undefined && patch.is_active !== target.isActive;
  if (!actor.isSuperuser && activationChanges && (target.isStaff || target.isSuperuser)) {
    throw new Forbidden('Only an admin can deactivate or reactivate a staff account.', 'admin_required');
  }
}

/**
 * Applies `{is_active, is_staff}` from a staff member; `is_staff` needs an admin. Losing access (deactivation
 * or demotion) revokes every session of the user in the same transaction and marks them ended after commit.
 */
export async function updateUserAccess(
  ctx: AppContext,
  actor: AuthUser,
  id: string,
  patch: StaffUserPatchBody,
): Promise<UserRow> {
  if (patch.is_staff !== undefined && !actor.isSuperuser) {
    throw new Forbidden('Only an admin can grant or remove staff rights.', 'admin_required');
  }
  if (!isUuid(id)) throw new NotFound('No user matches the given query.');
  const { user, ended } = await ctx.db.transaction(async (tx) => {
    const target = await repo.lockUser(tx, id);
    if (!target) throw new NotFound('No user matches the given query.');
    checkAccessChange(actor, target, patch);
    const losesAccess = (patch.is_active === false && target.isActive) || (patch.is_staff === false && target.isStaff);
    const user = (await repo.setUserAccess(tx, id, { isActive: patch.is_active, isStaff: patch.is_staff })) as UserRow;
    const ended = losesAccess ? await revokeAllSessions(tx, id, ctx.now()) : [];
    return { user, ended };
  });
  await markSessionsEnded(ctx, ended);
  if (ended.length) ctx.log.info({ userId: id, sessions: ended.length }, 'sessions ended by an access change');
  return user;
}
