/**
 * Zone discovery: `GET {lookup}?user=<username>` → `{url}` (the zone's REST root), unauthenticated,
 * cached per connector and user (django-autotask caches 12 h). Lookups for the same key share one request.
 */
import { classifyResponse, errorTexts, type AutotaskHttpResponse } from './classify';
import { AutotaskAuthError, AutotaskUnavailableError } from './errors';

export const DEFAULT_ZONE_TTL_MS = 12 * 60 * 60 * 1000;

/** `https://webservices14.autotask.net/ATServicesRest/` → `https://webservices14.autotask.net/ATServicesRest` */
export function restRoot(zoneUrl: string): string {
  return zoneUrl.replace(/\/+$/, '');
}

export interface ZoneLookup {
  lookupUrl: string;
  ttlMs: number;
  /** `connectorId` is passed through for call reporting. */
  fetch: (url: string, connectorId: string) => Promise<AutotaskHttpResponse>;
  now?: () => number;
}

export class ZoneDirectory {
  private readonly cache = new Map<string, { root: Promise<string>; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly lookup: ZoneLookup) {
    this.now = lookup.now ?? Date.now;
  }

  resolve(cacheKey: string, username: string, connectorId = ''): Promise<string> {
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > this.now()) return cached.root;
    const root = this.discover(username, connectorId);
    this.cache.set(cacheKey, { root, expiresAt: this.now() + this.lookup.ttlMs });
    root.catch(() => {
      if (this.cache.get(cacheKey)?.root === root) this.cache.delete(cacheKey);
    });
    return root;
  }

  invalidate(cacheKey: string): void {
    this.cache.delete(cacheKey);
  }

  private async discover(username: string, connectorId: string): Promise<string> {
    const url = new URL(this.lookup.lookupUrl);
    url.searchParams.set('user', username);
    const response = await this.lookup.fetch(url.toString(), connectorId);
    const zoneUrl = (response.data as { url?: unknown } | null)?.url;
    if (response.status === 200 && typeof zoneUrl === 'string' && /^https?:\/\//i.test(zoneUrl)) return restRoot(zoneUrl);
    if (response.status === 200) throw new AutotaskUnavailableError('Autotask zone discovery answered without a zone url', 200);
    // An unknown or blank user is answered HTTP 500 with a JSON body (django-autotask get_zone_info).
    if (response.status !== 429 && (errorTexts(response.data).length > 0 || response.status === 404)) {
      throw new AutotaskAuthError('Autotask zone discovery knows no zone for this API username: check the username.', response.status, 'credentials');
    }
    throw classifyResponse(response) ?? new AutotaskUnavailableError(`Autotask zone discovery answered HTTP ${response.status}`, response.status);
  }
}
