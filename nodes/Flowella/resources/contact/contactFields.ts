/** Body of POST /api/v1/contacts, exactly as Flowella's contract defines it. */
export interface UpsertContactBody {
  phone: string;
  name?: string | null;
  email?: string | null;
  waId?: string | null;
}

/** Options → Empty Values: what a blank added field does to the value stored in Flowella. */
export type EmptyValues = "skip" | "clear";

/** The contact's fields under Additional Fields. */
export type ContactField = "name" | "email" | "waId";

export interface FieldProblem {
  field: ContactField;
  value: unknown;
  reason: string;
}

export type ContactBody =
  | { ok: true; body: UpsertContactBody }
  | ({ ok: false } & FieldProblem);

// Limits from Flowella's contract for POST /api/v1/contacts.
const NAME_MAX_LENGTH = 200;
const WA_ID_MAX_LENGTH = 64;
// RFC 5321 caps a forward path at 254 characters. The shape is what `format: email` validators
// (ajv-formats, zod) accept: a dot-atom before the @ (RFC 5322 atext, no leading, trailing or double
// dots), then host-name labels (letters, digits, inner hyphens, at most 63 characters each) and a
// top-level domain of 2 or more characters that is not all digits. Quoted local parts, IP address
// literals and non-ASCII addresses are refused, as those validators refuse them.
const EMAIL_MAX_LENGTH = 254;
const EMAIL_LOCAL_PART =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isEmailAddress(text: string): boolean {
  const at = text.lastIndexOf("@");
  if (
    text.length > EMAIL_MAX_LENGTH ||
    at < 0 ||
    !EMAIL_LOCAL_PART.test(text.slice(0, at))
  )
    return false;
  const labels = text.slice(at + 1).split(".");
  const topLevel = labels[labels.length - 1];
  return (
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    topLevel.length >= 2 &&
    !/^\d+$/.test(topLevel)
  );
}

// Beyond 2^53 a number is not exact (the cell may hold another value than was typed), and String()
// writes very large or small ones with an exponent (1e+21): neither is the text the user sees.
const NOT_EXACT =
  "arrived as a number that cannot be written exactly (too large, or with an exponent); format the column as plain text";

const OPTIONAL_FIELDS: readonly ContactField[] = ["name", "email", "waId"];

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : typeof value;
}

/** Text of an optional field, or undefined when it is empty (blank cell, null, missing). */
function optionalText(
  field: ContactField,
  value: unknown,
): { text?: string; problem?: FieldProblem } {
  if (value === undefined || value === null) return {};
  if (typeof value === "string") {
    const text = value.trim();
    return text === "" ? {} : { text };
  }
  // Sheets hands over numeric cells as numbers; a WhatsApp ID or a numeric name is still text.
  if (typeof value === "bigint") return { text: value.toString() };
  if (typeof value === "number" && Number.isFinite(value)) {
    const text = String(value);
    const exact = Number.isInteger(value)
      ? Number.isSafeInteger(value)
      : !text.includes("e");
    return exact ? { text } : { problem: { field, value, reason: NOT_EXACT } };
  }
  return {
    problem: {
      field,
      value,
      reason: `must be text, not ${describeType(value)}`,
    },
  };
}

function checkContactField(
  field: ContactField,
  text: string,
): FieldProblem | undefined {
  if (field === "name" && text.length > NAME_MAX_LENGTH) {
    return {
      field,
      value: text,
      reason: `is ${text.length} characters long; Flowella accepts at most ${NAME_MAX_LENGTH}`,
    };
  }
  if (field === "waId" && text.length > WA_ID_MAX_LENGTH) {
    return {
      field,
      value: text,
      reason: `is ${text.length} characters long; Flowella accepts at most ${WA_ID_MAX_LENGTH}`,
    };
  }
  if (field === "email" && !isEmailAddress(text)) {
    return { field, value: text, reason: "is not an email address" };
  }
  return undefined;
}

/**
 * The body of POST /api/v1/contacts for a phone (already in E.164) and the item's Additional
 * Fields, satisfying the contract, or which field is wrong.
 */
export function contactBody(
  phone: string,
  additionalFields: Record<string, unknown>,
  emptyValues: EmptyValues,
): ContactBody {
  const body: UpsertContactBody = { phone };
  for (const field of OPTIONAL_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(additionalFields, field))
      continue;
    const { text, problem } = optionalText(field, additionalFields[field]);
    if (problem) return { ok: false, ...problem };
    if (text === undefined) {
      // A blank never reaches Flowella as "": it either leaves the field alone or clears it.
      if (emptyValues === "clear") body[field] = null;
      continue;
    }
    const fieldProblem = checkContactField(field, text);
    if (fieldProblem) return { ok: false, ...fieldProblem };
    body[field] = text;
  }
  return { ok: true, body };
}
