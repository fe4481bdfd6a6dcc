/**
 * Secret redaction for text that may travel to spans, logs or error messages: provider error bodies
 * that echo a request's `Authorization` header or API key, messages built from them.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

/**
 * Generic secret shapes: bearer/basic credentials, `Authorization`-style headers and `api_key`-style
 * fields (JSON, query string or header syntax), and well-known key prefixes (OpenAI/Anthropic `sk-…`,
 * Groq `gsk_…`, Google `AIza…`, GitHub/Hugging Face tokens).
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  // An Authorization header's value is `<scheme> <credentials>` for any scheme (`Token …`, `Api-Key …`):
  // redact both words, not just the scheme.
  [
    /((?:["']?)(?:proxy-)?authorization(?:["']?)\s*[:=]\s*["']?)(?:[A-Za-z][A-Za-z0-9-]*[ \t]+)?[^"'\s,;&}]+/gi,
    `$1${REDACTED}`,
  ],
  [
    /((?:["']?)(?:authorization|proxy-authorization|x-api-key|api-key|api_key|apikey|x-goog-api-key|access_token|client_secret|password)(?:["']?)\s*[:=]\s*["']?)([^"'\s,;&}]+)/gi,
    `$1${REDACTED}`,
  ],
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\bgsk_[A-Za-z0-9]{8,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/\b(?:ghp|gho|ghs|github_pat|hf)_[A-Za-z0-9_]{8,}/g, REDACTED],
];

/**
 * Returns `text` with secrets replaced by `[REDACTED]`: every value in `secrets` (an API key, header
 * values the caller sent) wherever it appears, then the generic shapes above. Never throws.
 */
export function redactSecrets(text: string, secrets?: readonly string[]): string {
  if (typeof text !== "string" || text.length === 0) return "";
  let out = text;
  if (secrets !== undefined) {
    for (const secret of secrets) {
      // Very short values ("1", "json") are not secrets and would shred the text.
      if (typeof secret === "string" && secret.length >= 6) out = out.split(secret).join(REDACTED);
    }
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
