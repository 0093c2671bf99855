import { randomBytes } from 'node:crypto';
import type { TicketWebhookSetup } from '../autotask/types';
import type { SetupDeps } from './setup';

/** Autotask's TicketWebhook name holds at most 50 characters. */
const NAME_MAX = 50;
/** The Ticket fields whose changes matter to the RMM; ticketNumber rides along for the operator. */
const SUBSCRIBED_FIELDS = ['status'];
const DISPLAY_ALWAYS_FIELDS = ['ticketNumber'];

export interface WebhookRegistration extends TicketWebhookSetup {
  webhookUrl: string;
  excludedResourceIds: number[];
}

/**
 * Creates (or finds and updates) the connector's Autotask TicketWebhook: a fresh secret, status
 * changes subscribed, and the connector's own API user excluded so our writes never come back as
 * changes. An impersonated resource is a real person whose own changes must still arrive, so it is
 * not excluded: writes made in its name come back once and are recognised as already in sync.
 * Autotask is told first, then the secret is stored: a delivery in between fails its signature
 * check and Autotask retries it.
 */
export async function registerAutotaskWebhook(deps: SetupDeps, connectorId: string, publicBaseUrl: string): Promise<WebhookRegistration | null> {
  const connector = await deps.store.connectors.get(connectorId);
  if (!connector) return null;
  const session = deps.autotaskSession(connector);
  const apiUser = await session.findResourceByUserName(connector.autotask.username);
  const excludedResourceIds = apiUser ? [apiUser.id] : [];
  const base = publicBaseUrl.replace(/\/+$/, '');
  const webhookUrl = `${base}/webhooks/autotask/${connectorId}`;
  const secretKey = randomBytes(32).toString('base64url');
  const setup = await session.ensureTicketWebhook({
    name: `pcsm-autotask-sync ${connectorId}`.slice(0, NAME_MAX),
    webhookUrl,
    deactivationUrl: `${webhookUrl}/deactivated`,
    secretKey,
    subscribedFields: SUBSCRIBED_FIELDS,
    displayAlwaysFields: DISPLAY_ALWAYS_FIELDS,
    excludedResourceIds,
  });
  await deps.store.connectors.setSecret(connectorId, 'autotask.webhookSecret', secretKey);
  return { ...setup, webhookUrl, excludedResourceIds };
}
