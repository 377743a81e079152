import { resourceDescription } from '../operation';
import * as send from './send.operation';

export const operations = { send };
export const description = resourceDescription('template', operations, 'send');
