// Accounts HTTP API: registration, JWT login/refresh/logout, email verification, password reset and change,
// the caller's profile (users/me) and staff management of users (list, detail, deactivate, staff rights). The address book is in addresses.routes.ts.
import { Type } from 'typebox';
import { currentUser, requireStaff, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { pageRequest, toPage } from '../../core/pagination.js';
import { toProfile, toStaffUser, toUser } from './accounts.present.js';
import * as s from './accounts.schemas.js';
import * as accounts from './accounts.service.js';
import { endSession, refreshSession } from './accounts.tokens.js';

const tags = ['accounts'];
const secured = { tags, security: [{ bearerAuth: [] }] };
const NoContent = Type.Null({ description: 'No content' });

export function accountsRoutes(app: App, ctx: AppContext) {
  sessionRoutes(app, ctx);
  emailAndPasswordRoutes(app, ctx);
  userRoutes(app, ctx);
}

/** Register, log in, rotate the refresh token, log out. */
function sessionRoutes(app: App, ctx: AppContext) {
  app.post(
    '/auth/register/',
    {
      schema: {
        tags,
        summary: 'Create an account and mail its verification link',
        body: s.RegisterBody,
        response: { 201: s.RegisterResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { email, password, first_name, last_name } = request.body;
      const user = await accounts.registerUser(ctx, { email, password, firstName: first_name, lastName: last_name });
      return reply.code(201).send({ user: toUser(user) });
    },
  );

  app.post(
    '/auth/login/',
    {
      schema: {
        tags,
        summary: 'Log in: access + refresh tokens; merges the guest cart sent in X-Cart-Token',
        body: s.LoginBody,
        headers: Type.Object({ 'x-cart-token': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: s.LoginResponse, ...problemResponses },
      },
    },
    async (request) => {
      const { access, refresh, user } = await accounts.login(ctx, { ...request.body, ip: request.ip });
      const login = { userId: user.id, cartToken: request.headers['x-cart-token'] };
      for (const hook of accounts.loginHooks()) {
        // the login itself succeeded; a failing hook (a stale guest cart) must not turn it into an error
        await hook(ctx, login).catch((err) => request.log.warn({ err }, 'after-login hook failed'));
      }
      return { access, refresh, user: toUser(user) };
    },
  );

  app.post(
    '/auth/token/refresh/',
    {
      schema: {
        tags,
        summary: 'Rotate a refresh token (a reused one revokes its whole family)',
        body: s.RefreshBody,
        response: { 200: s.TokenPair, ...problemResponses },
      },
    },
    async (request) => refreshSession(ctx, request.body.refresh),
  );

  app.post(
    '/auth/logout/',
    {
      preHandler: requireUser,
      schema: {
        ...secured,
        summary: "Blacklist the caller's refresh token",
        body: s.RefreshBody,
        response: { 204: NoContent, ...problemResponses },
      },
    },
    async (request, reply) => {
      await endSession(ctx, currentUser(request).id, request.body.refresh);
      return reply.code(204).send(null);
    },
  );
}

/** Email verification, password reset and change. */
function emailAndPasswordRoutes(app: App, ctx: AppContext) {
  app.post(
    '/auth/verify-email/',
    {
      schema: {
        tags,
        summary: 'Verify the email address with the mailed token',
        body: s.TokenBody,
        response: { 200: s.Detail, ...problemResponses },
      },
    },
    async (request) => {
      await accounts.verifyEmail(ctx, request.body.token);
      return { detail: 'Email verified.' };
    },
  );

  app.post(
    '/auth/resend-verification/',
    {
      preHandler: requireUser,
      schema: { ...secured, summary: 'Mail a new verification link', response: { 202: s.Detail, ...problemResponses } },
    },
    async (request, reply) => {
      await accounts.resendVerification(ctx, currentUser(request).id, request.ip);
      return reply.code(202).send({ detail: 'Verification email sent.' });
    },
  );

  app.post(
    '/auth/password-reset/',
    {
      schema: {
        tags,
        summary: 'Mail a password-reset link; answers the same whether or not the email exists',
        body: s.EmailBody,
        response: { 202: s.Detail, ...problemResponses },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(ctx, { email: request.body.email, ip: request.ip });
      return reply.code(202).send({ detail: 'If an account uses this email, a password reset link has been sent to it.' });
    },
  );

  app.post(
    '/auth/password-reset/confirm/',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset token; ends every session',
        body: s.ResetConfirmBody,
        response: { 200: s.Detail, ...problemResponses },
      },
    },
    async (request) => {
      await accounts.confirmPasswordReset(ctx, request.body.token, request.body.new_password);
      return { detail: 'Password has been reset.' };
    },
  );

  app.post(
    '/auth/change-password/',
    {
      preHandler: requireUser,
      schema: {
        ...secured,
        summary: 'Change the password; ends every other session and returns a new token pair',
        body: s.ChangePasswordBody,
        response: { 200: s.ChangePasswordResponse, ...problemResponses },
      },
    },
    async (request) => {
      const { old_password, new_password } = request.body;
      const tokens = await accounts.changePassword(ctx, currentUser(request).id, {
        oldPassword: old_password,
        newPassword: new_password,
      });
      return { detail: 'Password updated.', ...tokens };
    },
  );
}

/** The caller's profile and the staff list of users. */
function userRoutes(app: App, ctx: AppContext) {
  app.get(
    '/users/me/',
    {
      preHandler: requireUser,
      schema: { ...secured, summary: 'The caller with profile', response: { 200: s.Profile, ...problemResponses } },
    },
    async (request) => toProfile(await accounts.getProfile(ctx, currentUser(request).id)),
  );

  app.patch(
    '/users/me/',
    {
      preHandler: requireUser,
      schema: {
        ...secured,
        summary: 'Update name and profile fields',
        body: s.ProfilePatch,
        response: { 200: s.Profile, ...problemResponses },
      },
    },
    async (request) => toProfile(await accounts.updateProfile(ctx, currentUser(request).id, request.body)),
  );

  app.get(
    '/users/',
    {
      preHandler: requireStaff,
      schema: {
        ...secured,
        summary: 'Staff: list users (search, is_staff, is_active, ordering), newest first by default',
        querystring: s.UserListQuery,
        response: { 200: Paginated(s.StaffUserView), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { search, is_staff, is_active, ordering } = request.query;
      const filter = { search, isStaff: is_staff, isActive: is_active, ordering };
      const { count, results } = await accounts.listUsersForStaff(ctx, page, filter);
      return toPage(request, page, count, results.map(toStaffUser));
    },
  );

  app.get(
    '/users/:id/',
    {
      preHandler: requireStaff,
      schema: {
        ...secured,
        summary: 'Staff: one user',
        params: s.StaffUserParams,
        response: { 200: s.StaffUserView, ...problemResponses },
      },
    },
    async (request) => toStaffUser(await accounts.getUserForStaff(ctx, request.params.id)),
  );

  app.patch(
    '/users/:id/',
    {
      preHandler: requireStaff,
      schema: {
        ...secured,
        summary:
          'Staff: deactivate/reactivate (`is_active`); admins: grant/remove staff (`is_staff`). Losing access ends every session; nobody can deactivate or demote themselves (409)',
        params: s.StaffUserParams,
        body: s.StaffUserPatch,
        response: { 200: s.StaffUserView, ...problemResponses },
      },
    },
    async (request) => toStaffUser(await accounts.updateUserAccess(ctx, currentUser(request), request.params.id, request.body)),
  );
}
