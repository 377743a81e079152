'use strict';
// n8n loads this package's nodes and credentials from the "n8n" attribute in package.json;
// nothing needs to be exported from the package root.
module.exports = {};
