import { resourceDescription } from '../operation';
import * as getAll from './getAll.operation';

export const operations = { getAll };
export const description = resourceDescription('conversation', operations, 'getAll');
