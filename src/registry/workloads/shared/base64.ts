/**
 * Byte fields (Secret data, ConfigMap binaryData) travel as base64 in JSON. Go's decoder
 * (encoding/base64 StdEncoding) decides what is valid and at which byte it fails, and
 * kube-apiserver answers 400 with that position; this follows it quantum by quantum.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isNewline = (c: string | undefined) => c === '\n' || c === '\r';

/** The decoded length, or the input byte at which Go reports `illegal base64 data`. */
export function decodeBase64(src: string): { length: number } | { errorAt: number } {
  let si = 0;
  let length = 0;
  for (;;) {
    let j = 0;
    let dlen = 4;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { length };
        return { errorAt: si - j };
      }
      const c = src[si]!;
      si++;
      if (alphabet.includes(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== '=') return { errorAt: si - 1 };
      // Padding: only after two or three symbols, and nothing but newlines may follow.
      if (j < 2) return { errorAt: si - 1 };
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return { errorAt: src.length };
        if (src[si] !== '=') return { errorAt: si - 1 };
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) return { errorAt: si };
      dlen = j;
      break;
    }
    length += dlen - 1;
    if (dlen < 4) return { length };
  }
}

/** UTF-8 text as base64 (how stringData enters data). */
export const toBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
