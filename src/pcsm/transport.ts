/**
 * One HTTP exchange with PCSM through axios. Every status comes back as a response (classified
 * elsewhere); a failure without a response becomes a TransportFailure that carries no request
 * config, so the Authorization header can never travel along as an error's cause.
 */
import axios, { type AxiosInstance } from 'axios';
import type { PcsmHttpResponse } from './classify';

export interface PcsmHttpRequest {
  method: 'GET' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

export class TransportFailure extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'TransportFailure';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function createHttp(): AxiosInstance {
  return axios.create({
    validateStatus: () => true,
    maxRedirects: 0,
    responseType: 'json',
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  });
}

function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  if (typeof headers !== 'object' || headers === null) return result;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : value === undefined || value === null ? undefined : String(value);
  }
  return result;
}

export async function exchange(http: AxiosInstance, request: PcsmHttpRequest): Promise<PcsmHttpResponse> {
  try {
    const response = await http.request({
      method: request.method,
      url: request.url,
      headers: request.headers,
      data: request.body === undefined ? undefined : JSON.stringify(request.body),
      timeout: request.timeoutMs,
    });
    return { status: response.status, headers: lowerCaseHeaders(response.headers), data: response.data as unknown };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const codeText = typeof code === 'string' ? code : 'UNKNOWN';
    const timedOut = codeText === 'ETIMEDOUT' || codeText === 'ECONNABORTED';
    throw new TransportFailure(timedOut ? `no answer within ${request.timeoutMs} ms` : codeText, codeText);
  }
}
