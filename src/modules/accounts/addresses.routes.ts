// The caller's address book under /users/me/addresses/: list, create, read, replace, patch, delete.
// Other users' addresses answer 404, as if they did not exist. Staff read anyone's under /users/{id}/addresses/.
import { Type } from 'typebox';
import { currentUser, requireStaff, requireUser } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { IdParams, Paginated, problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import { PageQuery, pageRequest, toPage } from '../../core/pagination.js';
import { toAddress } from './accounts.present.js';
import { Address, AddressInput, AddressPatch, StaffUserParams } from './accounts.schemas.js';
import { listAddressesForStaff } from './accounts.staff.js';
import * as addresses from './addresses.service.js';

const secured = { tags: ['accounts'], security: [{ bearerAuth: [] }] };
const responses = { 200: Address, ...problemResponses };

export function addressRoutes(app: App, ctx: AppContext) {
  app.get(
    '/users/me/addresses/',
    {
      preHandler: requireUser,
      schema: {
        ...secured,
        summary: 'List my addresses (defaults first)',
        querystring: Type.Object(PageQuery),
        response: { 200: Paginated(Address), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, results } = await addresses.listAddresses(ctx, currentUser(request).id, page);
      return toPage(request, page, count, results.map(toAddress));
    },
  );

  app.post(
    '/users/me/addresses/',
    {
      preHandler: requireUser,
      schema: { ...secured, summary: 'Add an address', body: AddressInput, response: { 201: Address, ...problemResponses } },
    },
    async (request, reply) => {
      const row = await addresses.createAddress(ctx, currentUser(request).id, request.body);
      return reply.code(201).send(toAddress(row));
    },
  );

  app.get(
    '/users/me/addresses/:id/',
    { preHandler: requireUser, schema: { ...secured, summary: 'One of my addresses', params: IdParams, response: responses } },
    async (request) => toAddress(await addresses.getAddress(ctx, currentUser(request).id, request.params.id)),
  );

  app.put(
    '/users/me/addresses/:id/',
    {
      preHandler: requireUser,
      schema: { ...secured, summary: 'Replace an address', params: IdParams, body: AddressInput, response: responses },
    },
    async (request) => {
      const row = await addresses.updateAddress(ctx, currentUser(request).id, request.params.id, request.body, 'replace');
      return toAddress(row);
    },
  );

  app.patch(
    '/users/me/addresses/:id/',
    {
      preHandler: requireUser,
      schema: {
        ...secured,
        summary: 'Change some fields of an address',
        params: IdParams,
        body: AddressPatch,
        response: responses,
      },
    },
    async (request) => {
      const row = await addresses.updateAddress(ctx, currentUser(request).id, request.params.id, request.body, 'patch');
      return toAddress(row);
    },
  );

  app.delete(
    '/users/me/addresses/:id/',
    {
      preHandler: requireUser,
      schema: { ...secured, summary: 'Delete an address', params: IdParams, response: { 204: Type.Null(), ...problemResponses } },
    },
    async (request, reply) => {
      await addresses.deleteAddress(ctx, currentUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/users/:id/addresses/',
    {
      preHandler: requireStaff,
      schema: {
        ...secured,
        summary: "Staff: a user's address book (defaults first); 404 for an unknown user",
        params: StaffUserParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Paginated(Address), ...problemResponses },
      },
    },
    async (request) => {
      const page = pageRequest(request.query);
      const { count, results } = await listAddressesForStaff(ctx, request.params.id, page);
      return toPage(request, page, count, results.map(toAddress));
    },
  );
}
