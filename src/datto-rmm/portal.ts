/**
 * Where an alert opens in Datto RMM's web portal: `https://<platform>.rmm.datto.com/alert/<alertUid>`,
 * the deep link DattoRMM.Core (`DRMMAlert.PortalUrl`) and srvprivate/webhooks-proxy build
 * (datto-rmm-facts.md §1.1). The platform is known only from the API host
 * (`https://merlot-api.centrastage.net` → `merlot`); an API URL of another form (a proxy, a
 * simulator) gets no link rather than a guessed one.
 */
const API_HOST = /^([a-z0-9-]+)-api\.centrastage\.net$/;

export function alertPortalUrl(apiUrl: string, alertUid: string): string | null {
  let host: string;
  try {
    host = new URL(apiUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  const platform = API_HOST.exec(host)?.[1];
  return platform ? `https://${platform}.rmm.datto.com/alert/${encodeURIComponent(alertUid)}` : null;
}
