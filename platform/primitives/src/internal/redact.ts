/**
 * Secret redaction for text that may travel to spans, logs or error messages: provider error bodies
 * that echo a request's `Authorization` header or API key, messages built from them.
 */

/**
 * What {@link redactSecrets} replaces a secret with: `"[REDACTED]"`.
 * @since 0.1.0
 */
export const REDACTED = "[REDACTED]";

/**
 * Generic secret shapes: bearer/basic credentials, `Authorization`-style headers and `api_key`-style
 * fields (JSON, query string or header syntax), and well-known key prefixes (OpenAI/Anthropic `sk-…`,
 * Groq `gsk_…`, Google `AIza…`, AWS access key ids `AKIA…`/`ASIA…`, GitHub/Hugging Face tokens).
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
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\b(?:ghp|gho|ghs|github_pat|hf)_[A-Za-z0-9_]{8,}/g, REDACTED],
];

/**
 * Returns `text` with secrets replaced by `[REDACTED]`: every value in `secrets` (an API key, header
 * values the caller sent) wherever it appears, then the default credential shapes.
 *
 * @remarks
 * The default shapes: `Bearer …` / `Basic …` credentials; the value of an `Authorization` or
 * `Proxy-Authorization` header whatever its scheme; the values of `x-api-key`, `api-key`, `api_key`,
 * `apikey`, `x-goog-api-key`, `access_token`, `client_secret` and `password` fields (JSON, header or
 * query-string syntax); and key prefixes: `sk-…`, `rk-…`, `pk-…` (OpenAI, Anthropic, Stripe-style),
 * `gsk_…` (Groq), `AIza…` (Google), `AKIA…` / `ASIA…` (AWS access key ids), `ghp_…`, `gho_…`, `ghs_…`,
 * `github_pat_…` (GitHub) and `hf_…` (Hugging Face). Values in `secrets` shorter than 6 characters are
 * ignored (they would shred the text). Non-string or empty `text` gives `""`. Never throws.
 *
 * This is the one implementation of the patterns: TTA's spans (status messages and recorded
 * exceptions), provider errors, and `@tta/observability`'s export-time redaction all use it.
 *
 * @param text - the text to clean.
 * @param secrets - exact values to remove wherever they appear (an API key you hold, headers you sent).
 * @example
 * ```ts
 * redactSecrets('401: bad key sk-live-abcdef123456, header "Authorization: Bearer eyJhbGci"');
 * // → '401: bad key [REDACTED], header "Authorization: [REDACTED]"'
 * ```
 * @since 0.1.0
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
