import type { resources } from './resources';

/** Resource → its operations' names, as the node's parameters hold them. */
export type FlowellaNodeMap = {
	[Resource in keyof typeof resources]: keyof (typeof resources)[Resource]['operations'];
};
