import { describe, expect, it } from 'vitest';
import { passwordProblems, quickRatio } from './password-rules.js';

describe('password rules (Django validators)', () => {
  it('accepts a long, uncommon password unrelated to the user', () => {
    expect(passwordProblems('violet-lantern-harbor', { email: 'sam@example.com', firstName: 'Sam' })).toEqual([]);
  });

  it('refuses fewer than 8 characters', () => {
    expect(passwordProblems('x7#kQ2p')).toEqual(['This password is too short. It must contain at least 8 characters.']);
  });

  it('refuses an entirely numeric password', () => {
    expect(passwordProblems('90210784316')).toContain('This password is entirely numeric.');
  });

  it('refuses common passwords whatever their case or surrounding spaces', () => {
    for (const p of ['password', 'PassWord1', ' qwertyuiop ', 'iloveyou']) {
      expect(passwordProblems(p)).toContain('This password is too common.');
    }
  });

  it("uses exactly the list's first 20,000 entries", () => {
    expect(passwordProblems('zoltan8x')).toEqual([]); // not in the list: only the 8 characters matter here
    expect(passwordProblems('zoltan')).toContain('This password is too common.'); // entry 20,000
    expect(passwordProblems('luvfurry')).toEqual([]);
    expect(passwordProblems('luvfur')).not.toContain('This password is too common.'); // entry 20,001
  });

  it('refuses a password too similar to the email, its local part or the names', () => {
    expect(passwordProblems('johnsmith@example.com', { email: 'johnsmith@example.com' })).toContain(
      'The password is too similar to the email address.',
    );
    expect(passwordProblems('jonathan.q', { email: 'jonathanq@example.org' })).toContain(
      'The password is too similar to the email address.',
    );
    expect(passwordProblems('Wilhelmina7', { firstName: 'Wilhelmina' })).toContain(
      'The password is too similar to the first name.',
    );
    expect(passwordProblems('Oppenheimer!', { lastName: 'Oppenheimer' })).toContain(
      'The password is too similar to the last name.',
    );
  });

  it('does not compare a long password with a much shorter attribute (Django max length ratio)', () => {
    expect(passwordProblems('averylongpassphrasewithal', { firstName: 'Al' })).toEqual([]);
  });

  it('computes SequenceMatcher.quick_ratio like Python', () => {
    // difflib.SequenceMatcher(a='abcd', b='bcde').quick_ratio() == 0.75
    expect(quickRatio('abcd', 'bcde')).toBe(0.75);
    expect(quickRatio('', '')).toBe(1);
    expect(quickRatio('aab', 'abb')).toBeCloseTo((2 * 2) / 6);
  });
});
