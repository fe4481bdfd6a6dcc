/**
 * Schemas of tool parameters and handoff payloads: recognising a Standard Schema or a plain JSON
 * Schema, compiling a JSON Schema with ajv once, the JSON Schema sent to the model, and issues in one
 * shape whichever validated them.
 *
 * @packageDocumentation
 * @internal
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { StructuredOutputIssue } from "@tta/primitives";
import {
  InvalidOptionsError,
  describeValue,
  isPlainObject,
  isStandardSchema,
  standardSchemaIssues,
} from "@tta/primitives/options";
import type { ErrorObject, Options as AjvOptions, ValidateFunction } from "ajv";
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonSchemaObject } from "../types.js";

/** A validation result: the (possibly transformed) value, or the problems. @internal */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly StructuredOutputIssue[] };

/** A schema ready to use: its validator and the JSON Schema the model is shown. @internal */
export interface CompiledSchema<T> {
  /** The JSON Schema sent to the model (top-level `$schema` removed). */
  readonly jsonSchema: JsonSchemaObject;
  /** Validates `value`; never throws for invalid values (a throwing Standard Schema `validate` does). */
  validate(value: unknown): Checked<T> | Promise<Checked<T>>;
}

/** Keywords that make a plain object a JSON Schema (at least one must be present). */
const JSON_SCHEMA_KEYWORDS: readonly string[] = [
  "type",
  "properties",
  "$schema",
  "$ref",
  "$defs",
  "definitions",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "enum",
  "const",
  "items",
  "required",
  "additionalProperties",
  "if",
];

/** Whether `value` is a plain object with at least one JSON Schema keyword. @internal */
function isJsonSchemaLike(value: unknown): value is JsonSchemaObject {
  return isPlainObject(value) && JSON_SCHEMA_KEYWORDS.some((key) => key in value);
}

/**
 * The input JSON Schema of a Standard Schema that also implements Standard JSON Schema
 * (`~standard.jsonSchema.input`), draft-07 first, then draft 2020-12; `undefined` when it does not or
 * both conversions throw.
 */
function standardJsonInput(schema: StandardSchemaV1): JsonSchemaObject | undefined {
  const converter: unknown = (schema["~standard"] as { jsonSchema?: unknown }).jsonSchema;
  const input: unknown =
    typeof converter === "object" && converter !== null ? (converter as { input?: unknown }).input : undefined;
  if (typeof input !== "function") return undefined;
  for (const target of ["draft-07", "draft-2020-12"]) {
    try {
      const json: unknown = (input as (options: { target: string }) => unknown).call(converter, { target });
      if (isPlainObject(json)) return json;
    } catch {
      // try the next target
    }
  }
  return undefined;
}

/** A JSON Pointer (`/a/0/b`) as path segments (`["a", 0, "b"]`; digits become indices). */
function pointerPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => {
      const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      return /^(?:0|[1-9]\d*)$/.test(part) ? Number(part) : part;
    });
}

/** Ajv errors as {@link StructuredOutputIssue}s (a missing or extra property is named in the path). */
function ajvIssues(errors: readonly ErrorObject[] | null | undefined): StructuredOutputIssue[] {
  const out: StructuredOutputIssue[] = [];
  for (const error of errors ?? []) {
    const path = pointerPath(error.instancePath);
    const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown };
    if (error.keyword === "required" && typeof params.missingProperty === "string") path.push(params.missingProperty);
    if (error.keyword === "additionalProperties" && typeof params.additionalProperty === "string")
      path.push(params.additionalProperty);
    const message = error.message ?? "Invalid value";
    out.push(path.length === 0 ? { message } : { message, path });
  }
  if (out.length === 0) out.push({ message: "Invalid value" });
  return out;
}

const AJV_OPTIONS: AjvOptions = {
  allErrors: true,
  // Tool schemas often carry keywords for the model (`examples`, vendor hints): accepted, not checked.
  strict: false,
  // …but `strict: false` would also let NaN and ±Infinity pass as numbers and integers.
  strictNumbers: true,
  // Formats (`email`, `date-time`) are shown to the model but not validated (no `ajv-formats` dependency).
  validateFormats: false,
  // Schemas with the same `$id` in two tools must not collide in the shared instance.
  addUsedSchema: false,
  logger: false,
};

let draft07: Ajv | undefined;
let draft2019: Ajv2019 | undefined;
let draft2020: Ajv2020 | undefined;

/** The shared ajv instance for the draft a schema declares in `$schema` (draft-07 when it declares none). */
function ajvFor(schema: JsonSchemaObject): Ajv | Ajv2019 | Ajv2020 {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("2020-12")) return (draft2020 ??= new Ajv2020(AJV_OPTIONS));
  if (declared.includes("2019-09")) return (draft2019 ??= new Ajv2019(AJV_OPTIONS));
  return (draft07 ??= new Ajv(AJV_OPTIONS));
}

/**
 * Compiles a JSON Schema with ajv, or throws `InvalidOptionsError` naming `option`. The shared instance
 * forgets the schema afterwards (ajv caches every compiled schema object for good), so tools made per
 * request do not pile up; except a schema with an `$id`, which ajv would forget by that id, and an `$id`
 * may name a schema the instance needs (its meta-schema).
 */
function compileJsonSchema(option: string, schema: JsonSchemaObject): ValidateFunction {
  const ajv = ajvFor(schema);
  try {
    return ajv.compile(schema);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : "unknown error";
    throw new InvalidOptionsError(
      option,
      `Expected \`${option}\` to be a JSON Schema that ajv can compile: ${reason}`,
      {
        cause,
      },
    );
  } finally {
    if (schema.$id === undefined) ajv.removeSchema(schema);
  }
}

/**
 * A deep, frozen copy of a JSON Schema, so that what the model is shown and what ajv validates cannot
 * change with the caller's object (ajv reads `enum`/`const` arrays from the schema at validation time).
 * A schema that cannot be cloned (it holds functions) is copied at its top level only.
 */
function ownCopy(json: JsonSchemaObject): JsonSchemaObject {
  let copy: JsonSchemaObject;
  try {
    copy = structuredClone(json);
  } catch {
    return Object.freeze({ ...json });
  }
  return deepFreeze(copy);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** `json` without its top-level `$schema` (providers do not want it in tool parameters). */
function forModel(json: JsonSchemaObject): JsonSchemaObject {
  if (!("$schema" in json)) return json;
  const { $schema: _dropped, ...rest } = json;
  return Object.freeze(rest);
}

/** Where a compiled schema's names come from, for error messages. @internal */
export interface SchemaOptionNames {
  /** The schema option (`parameters`, `payload`). */
  readonly schema: string;
  /** The option giving its JSON Schema for a Standard Schema (`jsonSchema`, `payloadJsonSchema`). */
  readonly jsonSchema: string;
  /** Whether the JSON Schema must describe an object (`type: "object"`), as tool parameters must. */
  readonly object: boolean;
}

/**
 * Compiles `schema` (a Standard Schema, or a plain JSON Schema compiled with ajv now) into a validator
 * and the JSON Schema the model is shown: `jsonSchema` when given, else the Standard Schema's own
 * (Standard JSON Schema), else the JSON Schema itself. @internal
 *
 * @throws `InvalidOptionsError` naming `names.schema` for a value that is neither, a JSON Schema ajv
 * cannot compile, or a Standard Schema with no JSON Schema; naming `names.jsonSchema` for a bad
 * `jsonSchema`, or one given beside a JSON Schema.
 */
export function compileSchema<T>(schema: unknown, jsonSchema: unknown, names: SchemaOptionNames): CompiledSchema<T> {
  if (jsonSchema !== undefined && !isJsonSchemaLike(jsonSchema))
    throw new InvalidOptionsError(
      names.jsonSchema,
      `Expected \`${names.jsonSchema}\` to be a JSON Schema object, got ${describeValue(jsonSchema)}`,
    );
  let compiled: CompiledSchema<T>;
  if (isStandardSchema(schema)) {
    const given = jsonSchema ?? standardJsonInput(schema);
    const json = given === undefined ? undefined : ownCopy(given);
    if (json === undefined)
      throw new InvalidOptionsError(
        names.schema,
        `\`${names.schema}\` is a Standard Schema that cannot describe itself as JSON Schema: pass its JSON Schema as \`${names.jsonSchema}\` (with zod 4: \`z.toJSONSchema(schema, { io: "input" })\`; with valibot: \`toJsonSchema(schema)\` from @valibot/to-json-schema)`,
      );
    const standard = schema as StandardSchemaV1<unknown, T>;
    compiled = {
      jsonSchema: forModel(json),
      validate: (value) => {
        const result = standard["~standard"].validate(value);
        // Any thenable, not only this realm's `Promise`: reading `issues` off a pending one would pass it.
        return typeof (result as { then?: unknown }).then === "function"
          ? Promise.resolve(result).then(standardChecked)
          : standardChecked(result as StandardSchemaV1.Result<T>);
      },
    };
  } else if (isJsonSchemaLike(schema)) {
    if (jsonSchema !== undefined)
      throw new InvalidOptionsError(
        names.jsonSchema,
        `\`${names.jsonSchema}\` is only for a Standard Schema \`${names.schema}\`; \`${names.schema}\` is already a JSON Schema`,
      );
    const own = ownCopy(schema);
    const validate = compileJsonSchema(names.schema, own);
    compiled = {
      jsonSchema: forModel(own),
      validate: (value) =>
        validate(value) ? { ok: true, value: value as T } : { ok: false, issues: ajvIssues(validate.errors) },
    };
  } else {
    throw new InvalidOptionsError(
      names.schema,
      `Expected \`${names.schema}\` to be a Standard Schema (zod, valibot, ArkType…) or a JSON Schema object, got ${describeValue(schema)}`,
    );
  }
  if (names.object && compiled.jsonSchema.type !== "object")
    throw new InvalidOptionsError(
      jsonSchema === undefined ? names.schema : names.jsonSchema,
      `Expected the JSON Schema of \`${names.schema}\` to describe an object (\`type: "object"\`), as providers require of tool parameters`,
    );
  return compiled;
}

function standardChecked<T>(result: StandardSchemaV1.Result<T>): Checked<T> {
  if (result.issues !== undefined && result.issues !== null)
    return { ok: false, issues: standardSchemaIssues(result.issues) };
  return { ok: true, value: result.value };
}
