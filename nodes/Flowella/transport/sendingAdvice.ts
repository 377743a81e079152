import type { RefusalAdvice } from './errors';

// Meta's code for a free-form message outside the 24-hour customer service window is 131047;
// Flowella passes Meta's text on in a 400, so the words are matched too.
const OUTSIDE_24_HOURS = /131047|24[- ]?hours?|re-?engagement|customer service window/i;

const OUTSIDE_24_HOURS_ADVICE =
	"WhatsApp allows free-form text only within 24 hours of the contact's last message to you. Outside that window, send an approved template instead (Template → Send to Many, with this one recipient).";

/** What to do when Flowella refuses to send a message or a bulk job, by the reason it gives. */
export const sendingAdvice: RefusalAdvice = ({ statusCode, code = '', message = '' }) => {
	const said = `${code} ${message}`;
	if (statusCode === 400 && OUTSIDE_24_HOURS.test(said)) return OUTSIDE_24_HOURS_ADVICE;
	if (statusCode === 402) {
		return "Your Flowella subscription does not cover sending: check the plan in Flowella's billing settings, or ask whoever manages it. Nothing was sent.";
	}
	if (statusCode === 403 && /opt(ed)?[_\s-]?out/i.test(said)) {
		return 'The contact opted out of WhatsApp messages on this channel, so Flowella does not send to them. Take them off the list; nothing was sent.';
	}
	if (statusCode === 403 && /meta|connect/i.test(said)) {
		return 'WhatsApp (Meta) is not connected for this channel in Flowella: connect it in the channel settings in Flowella, then send again. Nothing was sent.';
	}
	if (statusCode === 403) {
		return 'Flowella does not allow this send: the contact may have opted out on this channel, WhatsApp (Meta) may not be connected for it, or the API key may not be allowed to send. Nothing was sent.';
	}
	if (statusCode === 404) {
		return "Flowella has no WhatsApp channel or template with this ID: copy the ID from the channel's or template's page in Flowella. Nothing was sent.";
	}
	return undefined;
};
