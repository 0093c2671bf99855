export {
  ALERT_PAGE_SIZE,
  DattoRmmClient,
  DattoRmmSession,
  MAX_PAGES,
  SITE_PAGE_SIZE,
  type DattoRmmClientOptions,
  type DattoRmmCredentials,
} from './client';
export { alertToTicket, DATTO_STATUSES, priorityOf } from './alert-to-ticket';
export { alertSummary } from './alert-summary';
export { classifyDattoResponse, classifyDattoTokenResponse, IP_BLOCK_MS } from './classify';
export { dattoAlertSchema, type DattoAlert, type DattoAlertContext, type DattoSite } from './answers';
export { DEFAULT_INLINE_WAIT_MS, DEFAULT_REQUESTS_IN_FLIGHT, DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_RESOLVES_PER_MINUTE } from './request-budget';
export { dattoWebhookSchema, webhookSecretMatches, type DattoWebhook } from './webhook';
