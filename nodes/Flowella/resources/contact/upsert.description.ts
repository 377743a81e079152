import type { INodeProperties } from 'n8n-workflow';

const showOnlyForContactUpsert = { resource: ['contact'], operation: ['upsert'] };

export const upsertFields: INodeProperties[] = [
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+34612345678',
		description:
			'Phone number in international format; Flowella matches contacts by it. Spacing is removed, a leading 00 becomes + and (0) after the country code is dropped; a number that does not fit its country is refused.',
		displayOptions: { show: showOnlyForContactUpsert },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForContactUpsert },
		options: [
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'Email address of the contact, such as name@example.com',
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Full name of the contact, up to 200 characters',
			},
			{
				displayName: 'WhatsApp ID',
				name: 'waId',
				type: 'string',
				default: '',
				description: 'WhatsApp ID of the contact (usually the phone number in digits), up to 64 characters',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: showOnlyForContactUpsert },
		options: [
			{
				displayName: 'Default Country Code',
				name: 'defaultCountryCode',
				type: 'string',
				default: '',
				placeholder: '34',
				description:
					'Country calling code (digits only) for phone numbers written without + or 00. Its trunk prefix (0 in most countries) is dropped; digits that already start with the code are kept when too long to be national.',
			},
			{
				displayName: 'Empty Values',
				name: 'emptyValues',
				type: 'options',
				default: 'skip',
				description: 'What to do when an added field is empty for an item',
				options: [
					{
						name: 'Skip Field',
						value: 'skip',
						description: 'Leave the value stored in Flowella unchanged; a blank cell never wipes data',
					},
					{
						name: 'Clear Field',
						value: 'clear',
						description: 'Erase the value stored in Flowella for that field',
					},
				],
			},
			{
				displayName: 'Parallel Requests',
				name: 'concurrency',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 1, maxValue: 50 },
				description:
					'Most requests sent to Flowella at once. The node slows down by itself when Flowella answers "too many requests" and speeds up again after.',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				default: 30000,
				typeOptions: { minValue: 1000, maxValue: 300000 },
				description: 'How long to wait for Flowella to answer one request before treating it as failed',
			},
		],
	},
];
