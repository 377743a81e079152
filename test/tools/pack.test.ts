// The packed file list check that `npm run pack` (and so CI, the scan and the e2e suite) applies.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkFileList, requiredFiles } = require('../../tools/pack.js') as {
	checkFileList(files: string[]): string[];
	requiredFiles(): string[];
};

describe('packed file list', () => {
	it('requires what the "n8n" attribute names, the codex and both icons', () => {
		expect(requiredFiles()).toEqual(
			expect.arrayContaining([
				'dist/nodes/Flowella/Flowella.node.js',
				'dist/nodes/Flowella/Flowella.node.json',
				'dist/credentials/FlowellaApi.credentials.js',
				'dist/icons/flowella.svg',
				'dist/icons/flowella.dark.svg',
				'package.json',
			]),
		);
	});

	it('accepts a complete tarball', () => {
		expect(checkFileList([...requiredFiles(), 'dist/nodes/Flowella/transport/request.js'])).toEqual([]);
	});

	it('refuses a tarball packed without a build (what ignore-scripts did to prepack)', () => {
		const problems = checkFileList(['LICENSE', 'README.md', 'index.js', 'package.json']);
		expect(problems).toContain('missing dist/nodes/Flowella/Flowella.node.js');
		expect(problems).toContain('missing dist/credentials/FlowellaApi.credentials.js');
		expect(problems).toContain('missing dist/icons/flowella.dark.svg');
	});

	it('refuses sources and files n8n does not need', () => {
		expect(checkFileList([...requiredFiles(), 'nodes/Flowella/Flowella.node.ts', 'dist/nodes/x.ts'])).toEqual([
			'not needed by n8n: nodes/Flowella/Flowella.node.ts',
			'source file shipped: nodes/Flowella/Flowella.node.ts',
			'source file shipped: dist/nodes/x.ts',
		]);
	});
});
