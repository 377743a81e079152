import { resourceDescription } from '../../shared/operation';
import * as send from './send';

export const operations = { send };
export const description = resourceDescription('template', operations, 'send');
