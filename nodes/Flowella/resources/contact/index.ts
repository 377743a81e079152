import { resourceDescription } from '../../shared/operation';
import * as getAll from './getAll';
import * as upsert from './upsert';

export const operations = { upsert, getAll };
export const description = resourceDescription('contact', operations, 'upsert');
