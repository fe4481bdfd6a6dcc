import { when } from "@tta/primitives";

const isForeign = (text: string) => /[^\p{ASCII}]/u.test(text);
const translate = (text: string) => `[translated] ${text}`;

// No else branch: when the condition is false, the input passes through unchanged.
const maybeTranslate = when(isForeign, translate);
console.log(await maybeTranslate.execute("hello")); // → hello
console.log(await maybeTranslate.execute("¿dónde está?")); // → [translated] ¿dónde está?

// With an else branch; the condition may be async.
const reply = when(
  async (priority: number) => Promise.resolve(priority > 3),
  () => "page the on-call engineer",
  () => "send the auto-reply",
);
console.log(await reply.execute(5), "/", await reply.execute(1)); // → page the on-call engineer / send the auto-reply
