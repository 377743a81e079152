import { FlowellaWebhookApi } from '../../credentials/FlowellaWebhookApi.credentials';
import { FlowellaTrigger } from '../../nodes/FlowellaTrigger/FlowellaTrigger.node';

describe('FlowellaWebhookApi credential', () => {
	const credential = new FlowellaWebhookApi();

	it('holds one required password field, the signing secret', () => {
		expect(credential.name).toBe('flowellaWebhookApi');
		expect(credential.displayName).toBe('Flowella Webhook API');
		expect(credential.properties).toEqual([
			expect.objectContaining({ name: 'signingSecret', type: 'string', required: true, typeOptions: { password: true } }),
		]);
	});

	it('is tested by the trigger node, since nothing remote can check a signing secret', () => {
		expect(credential).not.toHaveProperty('test');
		const trigger = new FlowellaTrigger();
		const uses = trigger.description.credentials?.find((entry) => entry.name === credential.name);
		expect(uses?.testedBy).toBeDefined();
		expect(trigger.methods.credentialTest).toHaveProperty(uses!.testedBy as string);
	});

	it('has no field a secret could leak through into a node parameter', () => {
		const trigger = new FlowellaTrigger();
		const names = JSON.stringify(trigger.description.properties);
		expect(names).not.toMatch(/secret"|signingSecret/i);
	});
});
