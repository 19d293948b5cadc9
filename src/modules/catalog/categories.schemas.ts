// TypeBox schemas of the category endpoints. The tree node is recursive, so it is a shared schema by $id.
import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../core/http.js';
import { Count, Slug } from './catalog.schemas.js';

export const CategoryNodeSchema = {
  $id: 'CategoryNode',
  title: 'CategoryNode',
  type: 'object',
  required: ['id', 'name', 'slug', 'description', 'parent', 'position', 'is_active', 'created_at', 'updated_at', 'children'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    slug: { type: 'string' },
    description: { type: 'string' },
    parent: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] },
    position: { type: 'integer' },
    is_active: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    children: { type: 'array', items: { $ref: 'CategoryNode#' } },
  },
} as const;

export const CategoryNodeRef = Type.Ref('CategoryNode');
export const CategoryTree = Type.Array(CategoryNodeRef);

export const CategoryListQuery = Type.Object({
  include_inactive: Type.Optional(Type.Boolean({ description: 'Staff only: include inactive categories' })),
});

export const CategoryInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.Optional(Slug),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  parent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  parent: Type.Optional(Type.Union([Type.String({ maxLength: 200, description: 'Parent slug or id' }), Type.Null()])),
  position: Type.Optional(Count()),
  is_active: Type.Optional(Type.Boolean()),
});
export const CategoryPatch = Type.Partial(CategoryInput);

export const CategoryFlat = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  parent: Type.Union([Uuid, Type.Null()]),
  position: Type.Integer(),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  children: Type.Array(CategoryNodeRef),
});
