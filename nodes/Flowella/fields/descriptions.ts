import type { INodeProperties } from 'n8n-workflow';

// Defaults and limits of the options every operation shares; read back by fields/options.ts.
// An operation's fields are shown only for it: its resource's index adds that (resources/operation.ts).
export const DEFAULT_CONCURRENCY = 5;
export const MAX_CONCURRENCY = 50;
export const DEFAULT_TIMEOUT_MS = 30_000;
// n8n's lint wants the Limit field's default written as the literal 50.
export const DEFAULT_LIMIT = 50;

const parallelRequestsOption: INodeProperties = {
	displayName: 'Parallel Requests',
	name: 'concurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	description:
		'Most requests sent to Flowella at once. The node slows down by itself when Flowella answers "too many requests" and speeds up again after.',
};

const maxRequestsPerSecondOption: INodeProperties = {
	displayName: 'Max Requests Per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0, numberPrecision: 1 },
	description:
		"Most requests this node starts per second; 0 for as many as Flowella allows. Set it to a share of your Flowella rate limit when several n8n workers send at once (e.g. the limit divided by the workers).",
};

const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	default: DEFAULT_TIMEOUT_MS,
	typeOptions: { minValue: 1000, maxValue: 300000 },
	description: 'Time in milliseconds to wait for Flowella to answer one request before treating it as failed',
};

/**
 * Shown above the fields of every operation that writes: n8n's Retry On Fail is off by default,
 * and without it Flowella's "too many requests" answer fails the item instead of waiting its turn.
 */
export const retryOnFailNotice: INodeProperties = {
	displayName:
		'Turn on Retry On Fail in this node\'s Settings: then an item that Flowella answers "too many requests" waits its turn instead of failing',
	name: 'retryOnFailNotice',
	type: 'notice',
	default: '',
};

/** Return All and Limit, as n8n's own Get Many operations show them. */
export function returnAllAndLimit(): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The Additional Fields collection of an operation: optional values it sends. */
export function additionalFieldsCollection(fields: INodeProperties[]): INodeProperties {
	return { displayName: 'Additional Fields', name: 'additionalFields', type: 'collection', placeholder: 'Add field', default: {}, options: fields };
}

/**
 * The Options collection of an operation: its own behaviour switches, then Max Requests Per Second
 * and Parallel Requests (not for an operation that sends one request for all items) and Timeout.
 */
export function optionsCollection(own: INodeProperties[] = [], { parallel = true } = {}): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...own, ...(parallel ? [maxRequestsPerSecondOption, parallelRequestsOption] : []), timeoutOption],
	};
}
