export { MAX_PAGES, PcsmClient, PROFILE_PAGE_SIZE, type PcsmCallInfo, type PcsmClientOptions } from './client';
export { classifyPcsmResponse, type PcsmHttpResponse } from './classify';
export * from './errors';
export { pcsmAccountSchema, pcsmApiTicketSchema, pcsmAutotaskLinkSchema } from './answers';
export type * from './types';
