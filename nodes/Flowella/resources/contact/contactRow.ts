import type { IDataObject } from "n8n-workflow";

/** A contact as Flowella returns it. */
export interface ContactRow extends IDataObject {
  id: string;
  phone: string;
  waId: string | null;
  name: string | null;
  email: string | null;
  isOptedOut: boolean;
  createdAt: string;
  updatedAt: string;
}

const isStringOrNull = (value: unknown) =>
  value === null || typeof value === "string";

/** Names the first way `body` differs from a ContactRow, or returns undefined when it is one. */
export function contactRowProblem(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return "the body is not a JSON object";
  const row = body as Record<string, unknown>;
  for (const field of ["id", "phone", "createdAt", "updatedAt"]) {
    if (typeof row[field] !== "string") return `"${field}" is not a string`;
  }
  for (const field of ["waId", "name", "email"]) {
    if (!isStringOrNull(row[field]))
      return `"${field}" is neither a string nor null`;
  }
  if (typeof row.isOptedOut !== "boolean")
    return '"isOptedOut" is not a boolean';
  return undefined;
}
