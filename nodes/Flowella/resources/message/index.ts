import { resourceDescription } from '../../shared/operation';
import * as sendText from './sendText';

export const operations = { sendText };
export const description = resourceDescription('message', operations, 'sendText');
