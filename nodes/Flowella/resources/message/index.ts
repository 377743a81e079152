import { resourceDescription } from '../operation';
import * as sendText from './sendText.operation';

export const operations = { sendText };
export const description = resourceDescription('message', operations, 'sendText');
