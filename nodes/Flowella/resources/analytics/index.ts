import { resourceDescription } from '../../shared/operation';
import * as getOutbound from './getOutbound';

export const operations = { getOutbound };
export const description = resourceDescription('analytics', operations, 'getOutbound');
