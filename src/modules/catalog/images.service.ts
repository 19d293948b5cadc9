// Product image upload: the type is sniffed from the bytes (never the file name or the client's content
// type), decoded by sharp to prove it is an image, stored with a WebP thumbnail, then recorded in one
// transaction. Files are written before the transaction and removed again if it fails.
import { randomUUID } from 'node:crypto';
import type { Metadata } from 'sharp';
import type { AppContext } from '../../core/context.js';
import { fieldError, NotFound } from '../../core/errors.js';
import type { Storage } from '../../core/storage.js';
import { invalidateCatalog } from './catalog.cache.js';
import { presentImage } from './catalog.present.js';
import * as catalogRepo from './catalog.repo.js';
import * as repo from './images.repo.js';

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/avif';
const EXTENSIONS: Record<ImageType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
};
const THUMBNAIL_SIZE = 400;

/** The image type from the file's magic bytes, or undefined for anything else. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  // ISO BMFF: [size]ftyp<major brand><minor version><compatible brands...>
  if (bytes.length >= 16 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length);
    const brands = [bytes.toString('latin1', 8, 12)];
    for (let i = 16; i + 4 <= boxSize; i += 4) brands.push(bytes.toString('latin1', i, i + 4));
    if (brands.includes('avif') || brands.includes('avis')) return 'image/avif';
  }
  return undefined;
}

export interface ImageUpload {
  bytes: Buffer;
  altText?: string;
  position?: number;
  isPrimary?: boolean;
}

const notAnImage = () =>
  fieldError(
    'image',
    'Upload a valid image. The file you uploaded was either not an image or a corrupted image.',
    'invalid_image',
  );

export async function uploadProductImage(ctx: AppContext, storage: Storage, slug: string, upload: ImageUpload) {
  const product = await catalogRepo.findProductBySlug(ctx.db, slug, true);
  if (!product) throw new NotFound('No Product matches the given query.');
  const type = sniffImageType(upload.bytes);
  if (!type) throw notAnImage();
  let meta: Metadata;
  let thumbnail: Buffer;
  try {
    // loaded on the first upload: libvips costs ~30 MB per process that never processes an image
    const { default: sharp } = await import('sharp');
    meta = await sharp(upload.bytes).metadata();
    thumbnail = await sharp(upload.bytes)
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    throw notAnImage();
  }
  const id = randomUUID();
  const storageKey = `products/${product.id}/${id}.${EXTENSIONS[type]}`;
  const thumbnailKey = `products/${product.id}/${id}_thumb.webp`;
  await storage.put(storageKey, upload.bytes, type);
  await storage.put(thumbnailKey, thumbnail, 'image/webp');
  try {
    const row = await ctx.db.transaction(async (tx) => {
      // concurrent uploads to one product take turns: "first image is primary" and positions stay exact
      await catalogRepo.lockProduct(tx, product.id);
      const { position, count } = await repo.nextPosition(tx, product.id);
      const isPrimary = upload.isPrimary === true || count === 0;
      if (isPrimary) await repo.clearPrimary(tx, product.id);
      return repo.insertImage(tx, {
        id,
        productId: product.id,
        storageKey,
        thumbnailKey,
        url: storage.url(storageKey),
        thumbnailUrl: storage.url(thumbnailKey),
        contentType: type,
        width: meta.autoOrient?.width ?? meta.width ?? 0,
        height: meta.autoOrient?.height ?? meta.height ?? 0,
        altText: upload.altText ?? '',
        position: upload.position ?? position,
        isPrimary,
      });
    });
    await invalidateCatalog(ctx, { slugs: [slug] });
    return presentImage(row);
  } catch (error) {
    await storage.delete(storageKey, thumbnailKey).catch(() => {});
    throw error;
  }
}

export async function deleteProductImage(ctx: AppContext, storage: Storage, slug: string, imageId: string): Promise<void> {
  const product = await catalogRepo.findProductBySlug(ctx.db, slug, true);
  if (!product) throw new NotFound('No Product matches the given query.');
  const row = await ctx.db.transaction(async (tx) => {
    await catalogRepo.lockProduct(tx, product.id); // an upload or delete in flight cannot miss the new primary
    const deleted = await repo.deleteImage(tx, product.id, imageId);
    if (deleted?.isPrimary) await repo.promoteFirst(tx, product.id);
    return deleted;
  });
  if (!row) throw new NotFound('No ProductImage matches the given query.');
  await invalidateCatalog(ctx, { slugs: [slug] });
  await storage.delete(row.storageKey, row.thumbnailKey).catch((error) => {
    ctx.log.warn({ err: error, key: row.storageKey }, 'could not delete image files; they are orphaned');
  });
}

async function productOf(ctx: AppContext, slug: string) {
  const product = await catalogRepo.findProductBySlug(ctx.db, slug, true);
  if (!product) throw new NotFound('No Product matches the given query.');
  return product;
}

/** Staff edit an image's position, alt text or makes it the primary one (the old primary steps down). */
export async function updateProductImage(
  ctx: AppContext,
  slug: string,
  imageId: string,
  input: { position?: number; alt_text?: string; is_primary?: true },
) {
  const product = await productOf(ctx, slug);
  const row = await ctx.db.transaction(async (tx) => {
    if (input.is_primary) await repo.clearPrimary(tx, product.id);
    const values = {
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.alt_text !== undefined ? { altText: input.alt_text } : {}),
      ...(input.is_primary ? { isPrimary: true } : {}),
    };
    const updated = await repo.updateImage(tx, product.id, imageId, values);
    if (!updated) throw new NotFound('No ProductImage matches the given query.');
    return updated;
  });
  await invalidateCatalog(ctx, { slugs: [slug] });
  return presentImage(row);
}

/**
 * Puts the product's images in the order of `ids` (positions 0..n-1) and makes the first one primary, since
 * the primary image is always shown first. `ids` must be exactly the product's images; otherwise nothing changes.
 */
export async function reorderProductImages(ctx: AppContext, slug: string, ids: string[]) {
  const product = await productOf(ctx, slug);
  const rows = await ctx.db.transaction(async (tx) => {
    const existing = await repo.imagesOfProduct(tx, product.id);
    const known = new Set(existing.map((i) => i.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length || ids.length !== existing.length) {
      throw fieldError(
        'ids',
        unknown.length
          ? `Not images of this product: ${unknown.join(', ')}.`
          : `List every image of the product (${existing.length}), each once.`,
      );
    }
    await repo.setPositions(tx, product.id, ids);
    const first = ids[0] as string;
    if (!existing.find((i) => i.id === first)?.isPrimary) {
      await repo.clearPrimary(tx, product.id);
      await repo.updateImage(tx, product.id, first, { isPrimary: true });
    }
    return repo.imagesOfProduct(tx, product.id);
  });
  await invalidateCatalog(ctx, { slugs: [slug] });
  return rows.map(presentImage);
}
