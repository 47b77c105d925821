/** Bag-of-words token F1 between an extraction and the expected text. */

// Han and kana have no spaces between words, so each character counts as a token there.
const TOKEN =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]|[[\p{L}\p{N}\p{M}]--[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]]+/gv;

export interface Score {
  precision: number;
  recall: number;
  f1: number;
}

/** Lower-cased word tokens of `text`. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/**
 * Multiset precision, recall and F1 of `actual` against `expected`.
 *
 * @example
 * tokenF1("a b c", "a b d"); // { precision: 0.667, recall: 0.667, f1: 0.667 } (rounded)
 */
export function tokenF1(actual: string, expected: string): Score {
  const want = new Map<string, number>();
  const expectedTokens = tokenize(expected);
  for (const t of expectedTokens) want.set(t, (want.get(t) ?? 0) + 1);
  const actualTokens = tokenize(actual);
  let hit = 0;
  for (const t of actualTokens) {
    const left = want.get(t) ?? 0;
    if (left > 0) {
      hit++;
      want.set(t, left - 1);
    }
  }
  if (actualTokens.length === 0 && expectedTokens.length === 0) {
    return { precision: 1, recall: 1, f1: 1 };
  }
  const precision = actualTokens.length === 0 ? 0 : hit / actualTokens.length;
  const recall = expectedTokens.length === 0 ? 0 : hit / expectedTokens.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
