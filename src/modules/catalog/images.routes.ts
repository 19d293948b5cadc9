// Product image routes (staff): multipart upload (`image` or `file` part plus optional `alt_text`, `position`,
// `is_primary` fields), type sniffed from the bytes and size-limited by MAX_UPLOAD_BYTES; delete.
import type { MultipartFile } from '@fastify/multipart';
import { Type } from 'typebox';
import { requireStaff } from '../../core/auth.js';
import type { AppContext } from '../../core/context.js';
import { fieldError } from '../../core/errors.js';
import { problemResponses } from '../../core/http.js';
import type { App } from '../../core/module.js';
import type { Storage } from '../../core/storage.js';
import { Image, ImageOrder, ImagePage, ImagePatch, SlugIdParams, SlugParams } from './catalog.schemas.js';
import {
  deleteProductImage,
  type ImageUpload,
  reorderProductImages,
  updateProductImage,
  uploadProductImage,
} from './images.service.js';

const staffOnly = { tags: ['catalog'], security: [{ bearerAuth: [] }] };

export function imageRoutes(app: App, ctx: AppContext, storage: Storage) {
  app.post(
    '/products/:slug/images/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        consumes: ['multipart/form-data'],
        params: SlugParams,
        response: { 201: Image, ...problemResponses },
      },
    },
    async (request, reply) => {
      const upload: Partial<ImageUpload> = {};
      for await (const part of request.parts()) {
        if (part.type === 'file') upload.bytes = await (part as MultipartFile).toBuffer();
        else if (part.fieldname === 'alt_text') upload.altText = String(part.value).slice(0, 500);
        else if (part.fieldname === 'is_primary')
          upload.isPrimary = ['true', '1', 'on'].includes(String(part.value).toLowerCase());
        else if (part.fieldname === 'position') {
          const position = Number(part.value);
          if (!Number.isInteger(position) || position < 0) throw fieldError('position', 'A valid integer is required.');
          upload.position = position;
        }
      }
      if (!upload.bytes) throw fieldError('image', 'No file was submitted.', 'required');
      const image = await uploadProductImage(ctx, storage, request.params.slug, upload as ImageUpload);
      return reply.code(201).send(image);
    },
  );

  app.patch(
    '/products/:slug/images/:id/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugIdParams, body: ImagePatch, response: { 200: Image, ...problemResponses } },
    },
    async (request) => updateProductImage(ctx, request.params.slug, request.params.id, request.body),
  );

  app.post(
    '/products/:slug/images/reorder/',
    {
      preHandler: requireStaff,
      schema: {
        ...staffOnly,
        summary: 'Reorder all images of a product; the first becomes primary',
        params: SlugParams,
        body: ImageOrder,
        response: { 200: ImagePage, ...problemResponses },
      },
    },
    async (request) => {
      const results = await reorderProductImages(ctx, request.params.slug, request.body.ids);
      return { count: results.length, next: null, previous: null, results };
    },
  );

  app.delete(
    '/products/:slug/images/:id/',
    {
      preHandler: requireStaff,
      schema: { ...staffOnly, params: SlugIdParams, response: { 204: Type.Null(), ...problemResponses } },
    },
    async (request, reply) => {
      await deleteProductImage(ctx, storage, request.params.slug, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
