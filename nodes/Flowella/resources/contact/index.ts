import { resourceDescription } from '../../shared/operation';
import * as getAll from './getAll';
import * as optOut from './optOut';
import * as upsert from './upsert';

export const operations = { upsert, getAll, optOut };
export const description = resourceDescription('contact', operations, 'upsert');
