// What Contact → Create or Update sends for one item, as a pure function of its values: the phone
// as every phone field reads it (fields/phone), then the contact's own fields. The unit and
// property tests check it without an n8n context; the engine tests check the same through n8n.
import { normalizePhone } from '../../nodes/Flowella/fields/phone';
import type { ContactBody, ContactField, EmptyValues } from '../../nodes/Flowella/resources/contact/contactFields';
import { contactBody } from '../../nodes/Flowella/resources/contact/contactFields';

export interface UpsertInput {
	phone: unknown;
	additionalFields: Record<string, unknown>;
	emptyValues: EmptyValues;
	defaultCountryCode: string;
}

export type UpsertBody = ContactBody | { ok: false; field: 'phone'; value: unknown; reason: string };
export type { ContactField };

export function buildUpsertRequest({ phone, additionalFields, emptyValues, defaultCountryCode }: UpsertInput): UpsertBody {
	const cleaned = normalizePhone(phone, defaultCountryCode);
	if (!cleaned.ok) return { ok: false, field: 'phone', value: phone, reason: cleaned.reason };
	return contactBody(cleaned.phone, additionalFields, emptyValues);
}
