import { type TtaEvent, createContext, lambda, subscribe, when } from "@tta/primitives";

const lines: string[] = [];
const stop = subscribe((event: TtaEvent) => {
  if (event.type === "start") lines.push(`start ${event.kind} ${event.name}`);
  else if (event.type === "end")
    lines.push(`end   ${event.kind} ${event.name} ${event.outcome}${event.errorType ? ` ${event.errorType}` : ""}`);
});

const shout = lambda((text: string) => text.toUpperCase(), "shout");
const flow = when((text: string) => text.endsWith("!"), shout, undefined, { name: "shout-if-excited" });
await flow.execute("hello!", createContext({ workflowId: "events-demo" }));
stop(); // unsubscribe

console.log(lines.join("\n"));
// → start conditional shout-if-excited
// → start lambda shout
// → end   lambda shout success
// → end   conditional shout-if-excited success
