import type { INodePropertyOptions } from 'n8n-workflow';

/** What "Send test" in Flowella → Settings → Webhooks sends; it cannot be subscribed to. */
export const TEST_EVENT = 'webhook.test';

/** Selecting this means every event type, including those Flowella adds later. */
export const ALL_EVENTS = '*';

export const EVENT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'All Events', value: ALL_EVENTS, description: 'Every event type, including types Flowella adds later' },
	{ name: 'Conversation Closed', value: 'conversation.closed' },
	{ name: 'Conversation Opened', value: 'conversation.opened' },
	{ name: 'Message Delivered', value: 'message.delivered' },
	{ name: 'Message Failed', value: 'message.failed' },
	{ name: 'Message Read', value: 'message.read' },
	{ name: 'Message Received', value: 'message.received', description: 'A contact sent a WhatsApp message' },
	{ name: 'Message Sent', value: 'message.sent' },
	{ name: 'Opt-Out Created', value: 'optout.created' },
	{ name: 'Template Status Updated', value: 'template.status_updated' },
];

/** Whether an event of `eventType` starts the workflow. */
export function isWanted(eventType: string, selected: string[], includeTestEvents: boolean): boolean {
	if (eventType === TEST_EVENT) return includeTestEvents;
	return selected.includes(ALL_EVENTS) || selected.includes(eventType);
}
