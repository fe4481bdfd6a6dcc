import { sequential } from "@tta/primitives";
import { CallBudget } from "./custom-primitive.js";

const model = new CallBudget((prompt: string) => `echo: ${prompt}`, 2);
const flow = sequential([(text: string) => text.trim(), model]);

console.log(await flow.execute(" one "), await flow.execute(" two ")); // → echo: one echo: two
console.log(await flow.execute(" three ").catch((error: Error) => `${error.name}: ${error.message}`)); // → BudgetExceededError: more than 2 calls
