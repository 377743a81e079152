import { resourceDescription } from '../../shared/operation';
import * as getAll from './getAll';

export const operations = { getAll };
export const description = resourceDescription('conversation', operations, 'getAll');
