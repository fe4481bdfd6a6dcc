/**
 * `npm start [question]`: asks the agent one question and prints its answer.
 */
import { ask, connectModels, createSupportAgent } from "./agent.js";

const question = process.argv.slice(2).join(" ").trim() || "Where is my order A-1001?";

try {
  const models = await connectModels(process.env);
  try {
    console.log(models.description);
    const result = await ask(createSupportAgent(models), question);
    console.log(`Q: ${question}`);
    console.log(`A: ${result.text}`);
    console.log(`(${result.steps} model calls, ${result.toolCalls} tool calls, stop: ${result.stopReason})`);
  } finally {
    await models.close();
  }
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
