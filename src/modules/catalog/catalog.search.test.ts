import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../../test/factories/catalog.js';
import { useTestApp } from '../../../test/setup/test-app.js';
import { allowedTypos, deletions, prefixQuery, typoDistance } from './catalog.search.js';

const { app } = useTestApp();
beforeAll(async () => {
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
  await makeProduct(app, { slug: 'silver-lantern', name: 'Silver Lantern', description: 'Hangs anywhere.', sku: 'HOM-400' });
  await makeProduct(app, { slug: 'sliver-bracelet', name: 'Sliver Bracelet', description: 'Thin.', sku: 'JEW-500' });
  await makeProduct(app, { slug: 'porcelain-teapot', name: 'Porcelain Teapot', description: 'For two.', sku: 'KIT-600' });
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

describe('typo tolerance (one typo from 5 letters, two from 9)', () => {
  it.each([
    ['insertion', 'lanterrn'],
    ['deletion', 'lantrn'],
    ['substitution', 'lantorn'],
    ['transposition', 'latnern'],
    ['transposition in a 6-letter word', 'silevr lantern'],
  ])('finds a product despite a %s (%s)', async (_kind, query) => {
    expect(await search(query)).toContain('silver-lantern');
  });

  it('tolerates two typos in a word of 9+ letters, but not in shorter words', async () => {
    expect(await search('procelian')).toEqual(['porcelain-teapot']); // two transpositions
    expect(await search('porcelian teapto')).toEqual(['porcelain-teapot']);
    expect(await search('latnren')).toEqual([]); // 7 letters, two typos
  });

  it('tolerates no typo in words under 5 letters', async () => {
    expect(await search('wolo')).toEqual([]);
    expect(await search('wool')).toEqual(['wool-scarf']);
  });

  it('does not match unrelated words', async () => {
    for (const query of ['xylophone', 'tractor', 'lamp', 'silverware']) expect(await search(query)).toEqual([]);
  });

  it('ranks exact and prefix matches above typo matches', async () => {
    expect(await search('silver')).toEqual(['silver-lantern', 'sliver-bracelet']);
    expect(await search('sliver')).toEqual(['sliver-bracelet', 'silver-lantern']);
    expect(await search('silv')).toEqual(['silver-lantern']); // a prefix; 4 letters allow no typo
  });

  it('learns the words of renamed products', async () => {
    const product = await makeProduct(app, { slug: 'renamed', name: 'Plain Thing' });
    await app.ctx.db.execute(sql`update products set name = 'Marmalade Jar' where id = ${product.id}`);
    expect(await search('marmelade')).toEqual(['renamed']);
  });
});

describe('typo helpers', () => {
  it('counts a transposition as one edit', () => {
    expect(typoDistance('silver', 'silevr')).toBe(1);
    expect(typoDistance('porcelain', 'procelian')).toBe(2);
    expect(typoDistance('lantern', 'lantern')).toBe(0);
    expect(typoDistance('abc', 'xyz')).toBe(3);
  });

  it('allows one typo from 5 letters and two from 9', () => {
    expect([4, 5, 8, 9, 12].map(allowedTypos)).toEqual([0, 1, 1, 2, 2]);
    expect(deletions('abc', 1).sort()).toEqual(['ab', 'abc', 'ac', 'bc']);
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
