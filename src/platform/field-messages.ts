/**
 * A validator's message in words a person reads next to a form field: zod's "Too small: expected string to have
 * >=1 characters" becomes "at least 1 character", "Invalid input: expected string, received undefined" becomes
 * "required". Messages a schema wrote itself ("expected YYYY-MM-DD") pass through unchanged.
 */
export function inWords(message: string): string {
  const plural = (n: string, word: string) => `${n} ${word}${n === '1' ? '' : 's'}`;
  let m = /^Too (small|big): expected string to have ([<>]=?)(\d+) characters?$/.exec(message);
  if (m) return `${m[1] === 'small' ? 'at least' : 'at most'} ${plural(m[3] as string, 'character')}`;
  m = /^Too (small|big): expected array to have ([<>]=?)(\d+) items?$/.exec(message);
  if (m) return `${m[1] === 'small' ? 'at least' : 'at most'} ${plural(m[3] as string, 'item')}`;
  m = /^Too (small|big): expected (?:number|int|bigint) to be ([<>]=?)(\S+)$/.exec(message);
  if (m) return `${m[2]?.endsWith('=') ? (m[1] === 'small' ? 'at least' : 'at most') : m[1] === 'small' ? 'more than' : 'less than'} ${m[3]}`;
  m = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (m) return m[2] === 'undefined' ? 'required' : `must be ${TYPE_WORDS[m[1] as string] ?? m[1]}`;
  m = /^Invalid option: expected one of (.+)$/.exec(message);
  if (m) return `one of ${(m[1] as string).split('|').map((o) => o.replace(/^"|"$/g, '')).join(', ')}`;
  return FORMAT_WORDS[message] ?? message;
}

const TYPE_WORDS: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object' };
const FORMAT_WORDS: Record<string, string> = {
  'Invalid UUID': 'not a valid id',
  'Invalid email address': 'not a valid email address',
  'Invalid URL': 'not a valid URL',
  'Invalid ISO datetime': 'not a date and time like 2026-03-02T10:00:00Z',
  'Invalid ISO date': 'not a date like 2026-03-02',
};
