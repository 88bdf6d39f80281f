/**
 * A fast upper-leaning estimate of prompt tokens, for caps only (billing uses the provider's
 * count): four ASCII characters per token, one token per other code unit (CJK and most
 * non-Latin scripts come out near one token per character with BPE tokenizers).
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}
