// The HTTP rows of the model benchmark: TTA's OpenAI-compatible provider, the official `openai` client
// and a plain `fetch` against one simulated provider on loopback (src/model-server.mjs, a process of
// its own). Loaded by the `http` loader of src/model-scenarios.mjs; a library is imported only here,
// so an in-process model benchmark process never loads `openai`.
import { PROMPT, REQUEST, SIM_API_KEY, SIM_MODEL, counted, fail } from "./model-scenarios.mjs";

/** JSON with the keys of every object sorted (to compare request bodies). */
function stableJson(value) {
  return JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/**
 * The six HTTP rows (`{ rows: [{id, label, op, expect, ops}], info }`) against the simulated provider
 * at `baseURL`. Before returning, one unmeasured call per row through a recording `fetch` captures what
 * each client sends (`info.sent`, `info.bodiesMatch`).
 */
export async function loadHttpRows({ baseURL }) {
  if (typeof baseURL !== "string" || !baseURL.startsWith("http://127.0.0.1:"))
    fail(`the HTTP rows need the simulated provider's loopback baseURL, got ${JSON.stringify(baseURL)}`);
  const { openAICompatible } = await import("@tta/primitives/orchestration");
  const { default: OpenAI } = await import("openai");
  const url = `${baseURL}/chat/completions`;
  const body = { model: SIM_MODEL, messages: [{ role: "user", content: PROMPT }] };
  const streamBody = { ...body, stream: true, stream_options: { include_usage: true } };
  const auth = `Bearer ${SIM_API_KEY}`;
  const jsonHeaders = { "content-type": "application/json", accept: "application/json", authorization: auth };
  const sseHeaders = { "content-type": "application/json", accept: "text/event-stream", authorization: auth };
  const signal = new AbortController().signal; // made once, as in the in-process rows
  const makeClients = (fetchFn) => ({
    tta: openAICompatible({
      baseURL,
      model: SIM_MODEL,
      apiKey: SIM_API_KEY,
      ...(fetchFn ? { fetch: fetchFn } : {}),
    }),
    openai: new OpenAI({ baseURL, apiKey: SIM_API_KEY, maxRetries: 0, ...(fetchFn ? { fetch: fetchFn } : {}) }),
  });
  // Each row has its own clients (so its call sites see one row only); all use the global fetch.
  const tta = makeClients().tta;
  const ttaS = makeClients().tta;
  const oa = makeClients().openai;
  const oaS = makeClients().openai;
  const ops = {
    fetchJson: (f) => () =>
      f(url, { method: "POST", headers: jsonHeaders, body: JSON.stringify(body) }).then((r) => r.json()),
    fetchSse: (f) => async () => {
      const r = await f(url, { method: "POST", headers: sseHeaders, body: JSON.stringify(streamBody) });
      const text = await r.text();
      let n = 0;
      for (let i = text.indexOf("data: {"); i !== -1; i = text.indexOf("data: {", i + 1)) n++;
      return n;
    },
    openaiCreate: (client) => () => client.chat.completions.create(body),
    openaiStream: (client) => async () => {
      let n = 0;
      for await (const chunk of await client.chat.completions.create(streamBody)) if (chunk.id !== undefined) n++;
      return n;
    },
    ttaGenerate: (lm) => () => lm.generate(REQUEST, { signal }),
    ttaStream: (lm) => async () => {
      let n = 0;
      for await (const chunk of lm.stream(REQUEST, { signal })) if (chunk.type !== undefined) n++;
      return n;
    },
  };
  const fj = counted(ops.fetchJson((u, init) => globalThis.fetch(u, init)));
  const fs = counted(ops.fetchSse((u, init) => globalThis.fetch(u, init)));
  const oc = counted(ops.openaiCreate(oa));
  const os = counted(ops.openaiStream(oaS));
  const tg = counted(ops.ttaGenerate(tta));
  const ts = counted(ops.ttaStream(ttaS));

  // What each client sends: one call per row through a recording fetch (not measured), so the run
  // can show that the three send the same body.
  const sent = [];
  let recordingRow = "";
  const recordingFetch = (u, init) => {
    const headers = Object.fromEntries(new globalThis.Headers(init?.headers).entries());
    if (headers.authorization !== undefined) headers.authorization = "[REDACTED]";
    sent.push({
      row: recordingRow,
      url: String(u),
      method: init?.method,
      headers,
      body: JSON.parse(init?.body ?? "null"),
    });
    return globalThis.fetch(u, init);
  };
  const rec = makeClients(recordingFetch);
  for (const [row, op] of [
    ["fetch.json", ops.fetchJson(recordingFetch)],
    ["openai.create", ops.openaiCreate(rec.openai)],
    ["tta.generate", ops.ttaGenerate(rec.tta)],
    ["fetch.sse", ops.fetchSse(recordingFetch)],
    ["openai.stream", ops.openaiStream(rec.openai)],
    ["tta.httpStream", ops.ttaStream(rec.tta)],
  ]) {
    recordingRow = row;
    await op();
  }
  const bodyOf = (row) => stableJson(sent.find((x) => x.row === row)?.body);
  const same = (...ids) => ids.every((id) => bodyOf(id) === bodyOf(ids[0]));
  const bodiesMatch = {
    generate: same("fetch.json", "openai.create", "tta.generate"),
    stream: same("fetch.sse", "openai.stream", "tta.httpStream"),
  };

  const expectText = (label) => (text) => {
    if (typeof text !== "string" || !text.startsWith("Simulated answer from sim-small"))
      fail(`${label} answered ${JSON.stringify(text)}`);
  };
  const streamCounts = {};
  const expectChunks = (label, id) => (n) => {
    if (!Number.isInteger(n) || n < 3) fail(`${label} consumed ${JSON.stringify(n)} chunks`);
    streamCounts[id] = n;
  };
  const okJson = expectText("fetch + json()");
  const okOpenai = expectText("openai create");
  const okTta = expectText("TTA generate");
  return {
    rows: [
      {
        id: "fetch.json",
        label: "fetch(url, { POST, JSON body }) + response.json()",
        op: fj.op,
        expect: (v) => okJson(v?.choices?.[0]?.message?.content),
        ops: fj.ops,
      },
      {
        id: "openai.create",
        label: "openai client.chat.completions.create(body)",
        op: oc.op,
        expect: (v) => okOpenai(v?.choices?.[0]?.message?.content),
        ops: oc.ops,
      },
      {
        id: "tta.generate",
        label: "TTA openAICompatible(...).generate(request, { signal })",
        op: tg.op,
        expect: (v) => okTta(v?.text),
        ops: tg.ops,
      },
      {
        id: "fetch.sse",
        label: "fetch(url, { POST, stream: true }) + response.text() (SSE read whole, not parsed)",
        op: fs.op,
        expect: expectChunks("fetch SSE", "fetch.sse"),
        ops: fs.ops,
      },
      {
        id: "openai.stream",
        label: "openai for await (create({ ...body, stream: true }))",
        op: os.op,
        expect: expectChunks("openai stream", "openai.stream"),
        ops: os.ops,
      },
      {
        id: "tta.httpStream",
        label: "TTA for await (openAICompatible(...).stream(request, { signal }))",
        op: ts.op,
        expect: expectChunks("TTA stream", "tta.httpStream"),
        ops: ts.ops,
      },
    ],
    info: {
      baseURL,
      resolved: import.meta.resolve("@tta/primitives/orchestration"),
      openai: import.meta.resolve("openai"),
      sent,
      bodiesMatch,
      streamCounts,
    },
  };
}
