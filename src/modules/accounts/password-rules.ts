// Django's four default password validators with their exact messages, so old clients show the same text:
// UserAttributeSimilarity, MinimumLength(8), CommonPassword (20,000-entry list), NumericPassword.
import { dictionary } from '@zxcvbn-ts/language-common';

export interface PasswordUser {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

export const MIN_PASSWORD_LENGTH = 8;
const MAX_SIMILARITY = 0.7;

/**
 * The 20,000 most common passwords: the head of the ranked, lower-cased list that @zxcvbn-ts/language-common
 * maintains (MIT, from leaked-password corpora), cut like Django's CommonPasswordValidator list. The package pins
 * the list's content, so upgrading it is a reviewed change (password-rules.test.ts checks known entries).
 */
export const COMMON_PASSWORD_COUNT = 20_000;
let commonPasswords: Set<string> | undefined;
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT));
  return commonPasswords.has(password.toLowerCase().trim());
}

/** difflib.SequenceMatcher(a, b).quick_ratio(): an upper bound on ratio() from character counts only. */
export function quickRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  const counts = new Map<string, number>();
  for (const ch of b) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let matches = 0;
  for (const ch of a) {
    const left = counts.get(ch) ?? 0;
    if (left > 0) {
      matches++;
      counts.set(ch, left - 1);
    }
  }
  return (2 * matches) / total;
}

// Django: a long password is not compared with a much shorter attribute (it cannot be "too similar").
function exceedsMaximumLengthRatio(password: string, value: string): boolean {
  return password.length >= 10 * value.length && value.length < (MAX_SIMILARITY / 2) * password.length;
}

function similarAttribute(password: string, user: PasswordUser): string | undefined {
  const lower = password.toLowerCase();
  const email = user.email?.toLowerCase() ?? '';
  // the labels are the fields' verbose names, as Django words the message ("...similar to the email address.")
  const attributes: [string, string][] = [
    ['first name', user.firstName ?? ''],
    ['last name', user.lastName ?? ''],
    ['email address', email],
  ];
  for (const [name, raw] of attributes) {
    const value = raw.toLowerCase();
    if (!value) continue;
    // Django splits on non-word characters (so an email's local part and its pieces count) and adds the whole.
    const parts = [...value.split(/[^\p{L}\p{N}_]+/u), value];
    if (name === 'email address') parts.push(value.split('@')[0] ?? '');
    for (const part of parts) {
      if (!part || exceedsMaximumLengthRatio(lower, part)) continue;
      if (quickRatio(lower, part) >= MAX_SIMILARITY) return name;
    }
  }
  return undefined;
}

/** Every message the validators give for this password, in Django's order; empty when it is acceptable. */
export function passwordProblems(password: string, user: PasswordUser = {}): string[] {
  const problems: string[] = [];
  const similar = similarAttribute(password, user);
  if (similar) problems.push(`The password is too similar to the ${similar}.`);
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (isCommon(password)) problems.push('This password is too common.');
  if (/^\p{Nd}+$/u.test(password)) problems.push('This password is entirely numeric.');
  return problems;
}
