// Names the server generates: metadata.generateName plus five characters of upstream's
// SimpleNameGenerator alphabet (no vowels, no look-alike digits), the prefix cut so the name
// fits a DNS label.

import { randomBytes } from 'node:crypto'

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
/** maxGeneratedNameLength of names.SimpleNameGenerator: 63 minus the 5-character suffix. */
export const MAX_GENERATED_PREFIX = 58

/** Five characters from upstream's safe alphabet, as generateName uses. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n)
  let s = ''
  for (const b of bytes) s += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]
  return s
}
