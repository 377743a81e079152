'use strict';
const { src, dest } = require('gulp');

// tsc emits only JavaScript; n8n also needs the icons and the codex file beside it in dist/.
function buildAssets() {
	return src(['icons/*.svg', 'nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
exports.default = buildAssets;
