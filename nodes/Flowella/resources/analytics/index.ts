import { resourceDescription } from '../operation';
import * as getOutbound from './getOutbound.operation';

export const operations = { getOutbound };
export const description = resourceDescription('analytics', operations, 'getOutbound');
