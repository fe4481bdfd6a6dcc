/**
 * An agent's transcript: how it starts from each kind of input, and what of it a handoff passes on.
 *
 * @packageDocumentation
 * @internal
 */
import type { Message } from "@tta/primitives";
import { InvalidOptionsError, describeShape, isPlainObject } from "@tta/primitives/options";
import type { HandoffEnvelope } from "../types.js";

/** The user message that gives a receiving agent its task (and the payload, as JSON, when there is one). @internal */
function taskMessage(task: string, payload: unknown): Message {
  if (payload === undefined) return { role: "user", content: task };
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch {
    json = undefined;
  }
  return { role: "user", content: json === undefined ? task : `${task}\n\nPayload: ${json}` };
}

/** The conversation a handoff passes on: the transcript without its system messages. @internal */
export function conversationOf(transcript: readonly Message[]): readonly Message[] {
  return transcript.filter((message) => message.role !== "system");
}

/**
 * Throws `InvalidOptionsError` naming `option`, describing `value` by its shape only (inputs are user
 * data). @internal
 */
export function invalidInput(option: string, expected: string, value: unknown): never {
  throw new InvalidOptionsError(option, `Expected \`${option}\` to be ${expected}, got ${describeShape(value)}`);
}

/** Checks a `{ messages }` input (shapes only in errors: messages are user data). */
function checkMessages(messages: unknown): readonly Message[] {
  if (!Array.isArray(messages)) invalidInput("input.messages", "an array of messages", messages);
  messages.forEach((message: unknown, i) => {
    if (!isPlainObject(message) || typeof message.role !== "string" || typeof message.content !== "string")
      invalidInput(`input.messages[${i}]`, "a message `{ role, content }`", message);
  });
  return messages as readonly Message[];
}

/**
 * The transcript an agent starts with: its instructions as the system message, then
 * - a string: one user message;
 * - `{ messages }`: those messages;
 * - an envelope: the conversation that came with it (if any), then the task as a user message.
 * @internal
 */
export function startTranscript(
  instructions: string,
  input: string | { readonly messages: readonly Message[] },
  envelope: HandoffEnvelope | undefined,
  conversation: readonly Message[] | undefined,
): Message[] {
  const transcript: Message[] = [{ role: "system", content: instructions }];
  if (envelope !== undefined) {
    if (conversation !== undefined) transcript.push(...conversation);
    transcript.push(taskMessage(envelope.task, envelope.payload));
  } else if (typeof input === "string") transcript.push({ role: "user", content: input });
  else transcript.push(...checkMessages(input.messages));
  return transcript;
}
