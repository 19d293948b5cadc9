import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { createTestApp } from '../../../test/setup/test-app.js';
import type { App } from '../../core/module.js';
import { prefixQuery } from './catalog.search.js';

let app: App;

beforeAll(async () => {
  app = await createTestApp();
  await makeProduct(app, {
    slug: 'studio-headphones',
    name: 'Studio Headphones',
    description: 'Closed-back monitors.',
    sku: 'AUD-100',
  });
  await makeProduct(app, {
    slug: 'travel-case',
    name: 'Travel Case',
    description: 'Fits most headphones and cables.',
    sku: 'ACC-200',
  });
  await makeProduct(app, { slug: 'wool-scarf', name: 'Wool Scarf', description: 'Warm and soft.', sku: 'CLO-300' });
  await makeProduct(app, { slug: 'red-scarf', name: 'Red Silk Scarf', description: 'Light.', sku: 'CLO-301' });
  await makeProduct(app, { slug: 'hidden-headphones', name: 'Hidden Headphones', isActive: false });
});
afterAll(async () => {
  await app.close();
});

async function search(q: string, extra = '') {
  const res = await app.inject({ method: 'GET', url: `/api/v1/products/?search=${encodeURIComponent(q)}${extra}` });
  expect(res.statusCode).toBe(200);
  return (res.json().results as { slug: string }[]).map((p) => p.slug);
}

describe('product search', () => {
  it('finds products by a word, stemmed', async () => {
    expect((await search('scarf')).sort()).toEqual(['red-scarf', 'wool-scarf']);
    expect(await search('cable')).toEqual(['travel-case']); // description says "cables"
  });

  it('finds products by a prefix', async () => {
    expect(await search('headph')).toEqual(['studio-headphones', 'travel-case']);
  });

  it('finds products despite a one-letter typo', async () => {
    expect(await search('hedphones')).toContain('studio-headphones');
  });

  it('finds products when one word of several has a typo', async () => {
    expect(await search('studio hedphones')).toEqual(['studio-headphones']);
    expect(await search('silk scarff')).toEqual(['red-scarf']);
  });

  it('ranks a name match above a description match', async () => {
    expect(await search('headphones')).toEqual(['studio-headphones', 'travel-case']);
  });

  it('finds a product by its sku', async () => {
    expect(await search('AUD-100')).toEqual(['studio-headphones']);
  });

  it('understands websearch syntax: exclusion and quoted phrases', async () => {
    expect(await search('scarf -red')).toEqual(['wool-scarf']);
    expect(await search('"silk scarf"')).toEqual(['red-scarf']);
  });

  it('never shows inactive products in search results', async () => {
    expect(await search('hidden')).toEqual([]);
  });

  it('combines search with an explicit ordering', async () => {
    expect(await search('scarf', '&ordering=name')).toEqual(['red-scarf', 'wool-scarf']);
  });

  it('pages searched results with a cursor', async () => {
    const first = (await app.inject({ method: 'GET', url: '/api/v1/products/?search=headphones&page_size=1&cursor=' })).json();
    expect(first.results.map((p: { slug: string }) => p.slug)).toEqual(['studio-headphones']);
    const second = (await app.inject({ method: 'GET', url: first.next })).json();
    expect(second.results.map((p: { slug: string }) => p.slug)).toEqual(['travel-case']);
    expect(second.next).toBeNull();
  });
});

describe('prefixQuery', () => {
  it('turns words into prefix terms and keeps negations', () => {
    expect(prefixQuery('wool sca -red')).toBe('wool:* & sca:* & !red');
  });

  it('leaves OR queries and quoted phrases to websearch syntax', () => {
    expect(prefixQuery('wool or silk')).toBeUndefined();
    expect(prefixQuery('"silk scarf"')).toBeUndefined();
  });

  it('drops characters that tsquery syntax would interpret', () => {
    expect(prefixQuery("it's (a) & test|!")).toBe('it:* & s:* & a:* & test:*');
  });
});
