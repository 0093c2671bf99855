export { AutotaskClient, MAX_PAGE_SIZE, type AutotaskCallInfo, type AutotaskClientOptions } from './client';
export { classifyResponse, type AutotaskHttpResponse } from './classify';
export { EndpointLimiter } from './endpoint-limiter';
export * from './errors';
export { parseRetryAfter, DEFAULT_RETRY_AFTER_MS } from '../http/retry-after';
export type * from './types';
export { ensureTicketWebhook, type WebhookSetupCalls } from './webhook-setup';
