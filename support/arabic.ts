// The kit's second language: the course notes are Egyptian Arabic with the Kubernetes terms in
// English, and so are the Arabic features (features/ar/) and the Arabic step phrasings. A text
// is Arabic when it has Arabic letters; it may well have English terms too.

/** Arabic letters (the Arabic block, which holds the Arabic-Indic digits and the tatweel of "الـ"). */
export const ARABIC = /[\u0600-\u06FF]/

export function isArabic(text: string): boolean {
  return ARABIC.test(text)
}
