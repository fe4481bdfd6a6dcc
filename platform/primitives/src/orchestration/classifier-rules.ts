/**
 * The rule engine behind `classifyTask`: rules compiled once to whole-word, case-insensitive, Unicode-aware
 * regular expressions; the length and request signals; and the check of a pluggable classifier's output.
 * Not exported from the package.
 *
 * @packageDocumentation
 */
import { InvalidOptionsError } from "../core/errors.js";
import { describeShape, isPlainObject } from "../internal/options.js";
import type { Capability } from "./catalog.js";
import { CAPABILITIES, fail } from "./catalog-validation.js";
import type { TaskClassification, TaskComplexity } from "./classifier.js";
import type { Message, ModelRequest } from "./language-model.js";
import { checkRequest } from "./model-options.js";

/**
 * A word character for the boundaries: a letter, combining mark, digit or `_` in any script (`\b` only
 * knows ASCII: it would see a boundary inside "Codeänderung"), except the scripts written without spaces
 * between words (Han, kana, Thai, Lao, Khmer, Myanmar). Next to those, a rule word matches as a
 * substring, the only workable rule without a word segmenter: "用Python写" matches "python".
 */
const WORD_CHAR =
  "[[\\p{L}\\p{M}\\p{N}_]--[\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}]]";
/** What a rule word must contain (a word of punctuation only would match almost anywhere). */
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Characters with a meaning outside a class in a `v`-mode pattern (`-` must not be escaped there). */
const SYNTAX = /[.*+?^${}()|[\]\\/]/g;
/** Sentence ends: `.`, `!`, `?`, `…` and their CJK forms, before a space or the end. */
const SENTENCE_END = /[.!?…。！？]+(?=\s|$)/gu;
const RULE_KEYS: readonly string[] = ["words", "need", "complexity", "reason"];
const RULE_SHAPE = "a rule { words, need?, complexity?, reason? }";
const LEVEL: Readonly<Record<TaskComplexity, number>> = { simple: 0, moderate: 1, complex: 2 };
/** The complexities, simplest first. @internal */
export const COMPLEXITIES: readonly TaskComplexity[] = ["simple", "moderate", "complex"];

/** A task is simple only up to this many characters… */
export const SIMPLE_MAX_CHARS = 300;
/** …and this many sentences (and when no rule fired). */
export const SIMPLE_MAX_SENTENCES = 2;
/** From this many needed capabilities on, a task is complex. */
export const COMPLEX_MIN_NEEDS = 3;

/** A rule after validation: one regular expression for all its words. */
export interface CompiledRule {
  /** `(?<!W)(?:(w1)|(w2)|…)(?!W)`, flags `iv`, never global (stateless, so shared safely). */
  readonly pattern: RegExp;
  /** The words in the order of the pattern's capture groups, as written in the rule. */
  readonly words: readonly string[];
  readonly need: Capability | undefined;
  readonly level: number;
  readonly reason: string | undefined;
}

/** A classification being built: needs as a set, complexity as a level. */
interface Draft {
  level: number;
  readonly needs: Set<Capability>;
  readonly reasons: string[];
}

/** The text of a task and the needs its request implies. */
export interface TaskText {
  readonly text: string;
  /** `[capability, reason]` pairs implied by the request itself (tools, JSON output). */
  readonly implied: readonly (readonly [Capability, string])[];
}

function escapeWord(word: string): string {
  return word
    .split(/\s+/u)
    .map((part) => part.replace(SYNTAX, "\\$&"))
    .join("\\s+");
}

function compileRule(rule: unknown, at: string): CompiledRule {
  if (!isPlainObject(rule)) fail(at, RULE_SHAPE, rule);
  for (const key of Object.keys(rule))
    if (!RULE_KEYS.includes(key))
      throw new InvalidOptionsError(
        `${at}.${key}`,
        `Unknown key \`${at}.${key}\`; ${RULE_SHAPE.slice(2)} has: ${RULE_KEYS.map((k) => `\`${k}\``).join(", ")}`,
      );
  const { words, need, complexity, reason } = rule;
  if (!Array.isArray(words) || words.length === 0) fail(`${at}.words`, "a non-empty array of words or phrases", words);
  const cleaned = words.map((word: unknown, i) => {
    if (typeof word !== "string" || !HAS_LETTER_OR_DIGIT.test(word))
      fail(`${at}.words[${i}]`, "a word or phrase with at least one letter or digit", word);
    return word.normalize("NFC").trim().replace(/\s+/gu, " ");
  });
  if (need !== undefined && need !== null && !(CAPABILITIES as readonly unknown[]).includes(need))
    fail(`${at}.need`, `one of ${CAPABILITIES.map((c) => `"${c}"`).join(", ")}`, need);
  if (complexity !== undefined && complexity !== null && complexity !== "moderate" && complexity !== "complex")
    fail(`${at}.complexity`, '"moderate" or "complex"', complexity);
  if ((need ?? undefined) === undefined && (complexity ?? undefined) === undefined)
    fail(at, "a rule with a `need`, a `complexity` or both (this one would do nothing)", rule);
  if (reason !== undefined && reason !== null && (typeof reason !== "string" || reason.trim() === ""))
    fail(`${at}.reason`, "a non-empty string", reason);
  // Longest first, so "stack trace" is reported rather than a shorter word at the same place.
  const ordered = [...cleaned].sort((a, b) => b.length - a.length);
  const alternatives = ordered.map((word) => `(${escapeWord(word)})`).join("|");
  return Object.freeze({
    pattern: new RegExp(`(?<!${WORD_CHAR})(?:${alternatives})(?!${WORD_CHAR})`, "iv"),
    words: Object.freeze(ordered),
    need: (need ?? undefined) as Capability | undefined,
    level: LEVEL[complexity ?? "simple"],
    reason: reason ?? undefined,
  });
}

/**
 * Validates and compiles `rules` (the option named `option`).
 * @throws {@link InvalidOptionsError} naming the exact path (`extraRules[1].words[0]`).
 */
export function compileRules(option: string, rules: unknown): readonly CompiledRule[] {
  if (!Array.isArray(rules)) fail(option, `an array of rules { words, need?, complexity?, reason? }`, rules);
  return Object.freeze(rules.map((rule: unknown, i) => compileRule(rule, `${option}[${i}]`)));
}

function describeEffects(rule: CompiledRule): string {
  const complexity = COMPLEXITIES[rule.level];
  if (rule.need === undefined) return `${complexity}`;
  return rule.level === 0 ? rule.need : `${rule.need}, ${complexity}`;
}

function countSentences(text: string, upTo: number): number {
  let count = 0;
  SENTENCE_END.lastIndex = 0;
  while (count < upTo && SENTENCE_END.exec(text) !== null) count++;
  // A last sentence without a full stop still counts.
  return /[.!?…。！？]\s*$/u.test(text) ? count : count + 1;
}

function freeze(draft: Draft): TaskClassification {
  return Object.freeze({
    complexity: COMPLEXITIES[draft.level] as TaskComplexity,
    needs: Object.freeze(CAPABILITIES.filter((c) => draft.needs.has(c))),
    reasons: Object.freeze(draft.reasons),
  });
}

/**
 * Classifies `task` with compiled rules: each rule that matches adds its need, complexity and one reason
 * (naming the rule word, never the task's text); then the length and the number of needs.
 */
export function classifyByRules(
  rules: readonly CompiledRule[],
  longContextChars: number,
  task: TaskText,
): TaskClassification {
  const draft: Draft = { level: 0, needs: new Set(), reasons: [] };
  for (const [need, reason] of task.implied) {
    draft.needs.add(need);
    draft.reasons.push(reason);
  }
  // NFC, so a decomposed "é" in the text matches a composed one in a rule (a no-op for ASCII text).
  const text = task.text.normalize("NFC");
  for (const rule of rules) {
    const match = rule.pattern.exec(text);
    if (match === null) continue;
    if (rule.need !== undefined) draft.needs.add(rule.need);
    draft.level = Math.max(draft.level, rule.level);
    let word = rule.words[0] as string;
    for (let group = 1; group < match.length; group++)
      if (match[group] !== undefined) {
        word = rule.words[group - 1] as string;
        break;
      }
    draft.reasons.push(rule.reason ?? `matched ${JSON.stringify(word)} → ${describeEffects(rule)}`);
  }
  if (text.length > longContextChars) {
    draft.needs.add("long-context");
    draft.level = 2;
    draft.reasons.push(`over ${longContextChars} characters → long-context, complex`);
  } else if (text.length > SIMPLE_MAX_CHARS) {
    draft.level = Math.max(draft.level, 1);
    draft.reasons.push(`over ${SIMPLE_MAX_CHARS} characters → moderate`);
  } else if (countSentences(text, SIMPLE_MAX_SENTENCES + 1) > SIMPLE_MAX_SENTENCES) {
    draft.level = Math.max(draft.level, 1);
    draft.reasons.push(`more than ${SIMPLE_MAX_SENTENCES} sentences → moderate`);
  }
  if (draft.needs.size >= COMPLEX_MIN_NEEDS && draft.level < 2) {
    draft.level = 2;
    draft.reasons.push(`${draft.needs.size} capabilities needed → complex`);
  } else if (draft.needs.size > 0) draft.level = Math.max(draft.level, 1);
  return freeze(draft);
}

/** The content of the last `user` message (`""` when there is none). @internal */
export function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return messages[i]?.content ?? "";
  return "";
}

/**
 * The text of a task (a string, or the last user message of a `ModelRequest`) and the needs the request
 * itself implies: `tools` (it offers tools and `toolChoice` is not `"none"`), `json` (it asks for JSON).
 * @throws {@link InvalidOptionsError} naming `input` (or the request's bad field) for anything else.
 */
export function readTask(input: unknown): TaskText {
  if (typeof input === "string") return { text: input, implied: [] };
  if (!isPlainObject(input))
    throw new InvalidOptionsError(
      "input",
      `Expected the input to be the task's text (a string) or a ModelRequest, got ${describeShape(input)}`,
    );
  checkRequest(input);
  const request = input as ModelRequest;
  const text = lastUserText(request.messages);
  const implied: (readonly [Capability, string])[] = [];
  if (Array.isArray(request.tools) && request.tools.length > 0 && request.toolChoice !== "none")
    implied.push(["tools", "request has tools → tools"]);
  if (request.responseFormat?.type === "json") implied.push(["json", "request asks for JSON → json"]);
  return { text, implied };
}

function invalidOutput(detail: string): never {
  throw new InvalidOptionsError(
    "classify",
    `Expected \`classify\` to return { complexity: "simple" | "moderate" | "complex", needs: Capability[], reasons?: string[] }, got ${detail}`,
  );
}

/**
 * Checks what a pluggable `classify` returned and freezes a copy (needs deduplicated, in canonical order),
 * adding the needs the request implies.
 * @throws {@link InvalidOptionsError} naming `classify`; the message describes shapes, never content.
 */
export function checkClassification(value: unknown, task: TaskText): TaskClassification {
  if (typeof value !== "object" || value === null) invalidOutput(describeShape(value));
  const { complexity, needs, reasons } = value as Partial<Record<keyof TaskClassification, unknown>>;
  if (typeof complexity !== "string" || !(COMPLEXITIES as readonly string[]).includes(complexity))
    invalidOutput(`\`complexity\` as ${describeShape(complexity)}`);
  if (!Array.isArray(needs)) invalidOutput(`\`needs\` as ${describeShape(needs)}`);
  const draft: Draft = { level: LEVEL[complexity as TaskComplexity], needs: new Set(), reasons: [] };
  needs.forEach((need: unknown, i) => {
    if (!(CAPABILITIES as readonly unknown[]).includes(need))
      invalidOutput(`\`needs[${i}]\` as ${describeShape(need)}`);
    draft.needs.add(need as Capability);
  });
  if (reasons !== undefined) {
    if (!Array.isArray(reasons)) invalidOutput(`\`reasons\` as ${describeShape(reasons)}`);
    reasons.forEach((reason: unknown, i) => {
      if (typeof reason !== "string") invalidOutput(`\`reasons[${i}]\` as ${describeShape(reason)}`);
      draft.reasons.push(reason);
    });
  }
  for (const [need, reason] of task.implied) {
    if (draft.needs.has(need)) continue;
    draft.needs.add(need);
    draft.reasons.push(reason);
  }
  return freeze(draft);
}
