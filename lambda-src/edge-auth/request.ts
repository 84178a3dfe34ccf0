/**
 * Narrows an untrusted viewer-request event into what the router needs. Never throws: anything
 * malformed comes back as `{ ok: false }` with a reason, answered with 400.
 */
import type { CloudFrontHeaders, CloudFrontRequest } from 'aws-lambda';
import { isRecord, ownProperty } from '../shared/assert';

export interface EdgeRequest {
  /** The CloudFront request object (mutated and returned on pass-through). */
  readonly raw: CloudFrontRequest;
  readonly method: string;
  readonly uri: string;
  readonly querystring: string;
  /** Lower-cased, validated against the distribution domain and aliases. */
  readonly host: string;
  /** Values of every Cookie header. */
  readonly cookieHeaders: readonly string[];
  /** A browser navigation (design §2): GET/HEAD and `Sec-Fetch-Mode: navigate`, or no Sec-Fetch-Mode and `Accept` with text/html. */
  readonly isNavigation: boolean;
  /** GET or HEAD. */
  readonly isSafeMethod: boolean;
}

export type ParseResult = { ok: true; request: EdgeRequest } | { ok: false; reason: 'malformed_event' | 'bad_host' };

/** Header values by lower-case name, tolerating any shape. */
export function headerValues(headers: unknown, name: string): string[] {
  if (!isRecord(headers)) return [];
  const entries = ownProperty(headers, name);
  if (!Array.isArray(entries)) return [];
  const out: string[] = [];
  for (const entry of entries) {
    if (isRecord(entry)) {
      const value = ownProperty(entry, 'value');
      if (typeof value === 'string') out.push(value);
    }
  }
  return out;
}

/** Parse `event.Records[0].cf` and check the Host header against the allowed hosts. */
export function parseEvent(event: unknown, aliases: readonly string[]): ParseResult {
  if (!isRecord(event)) return { ok: false, reason: 'malformed_event' };
  const records = ownProperty(event, 'Records');
  if (!Array.isArray(records) || records.length < 1 || !isRecord(records[0])) return { ok: false, reason: 'malformed_event' };
  const cf = ownProperty(records[0], 'cf');
  if (!isRecord(cf)) return { ok: false, reason: 'malformed_event' };
  const cfConfig = ownProperty(cf, 'config');
  const raw = ownProperty(cf, 'request');
  if (!isRecord(cfConfig) || !isRecord(raw)) return { ok: false, reason: 'malformed_event' };
  const method = ownProperty(raw, 'method');
  const uri = ownProperty(raw, 'uri');
  const querystringRaw = ownProperty(raw, 'querystring');
  const headers = ownProperty(raw, 'headers');
  if (typeof method !== 'string' || typeof uri !== 'string' || !isRecord(headers)) return { ok: false, reason: 'malformed_event' };
  const querystring = typeof querystringRaw === 'string' ? querystringRaw : '';

  const distributionDomain = ownProperty(cfConfig, 'distributionDomainName');
  const hosts = headerValues(headers, 'host');
  if (hosts.length !== 1) return { ok: false, reason: 'bad_host' };
  const host = hosts[0].toLowerCase();
  const allowed = (typeof distributionDomain === 'string' && host === distributionDomain.toLowerCase()) || aliases.includes(host);
  if (!allowed) return { ok: false, reason: 'bad_host' };

  const upperMethod = method.toUpperCase();
  const isSafeMethod = upperMethod === 'GET' || upperMethod === 'HEAD';
  // Headers are read only as far as the decision needs them.
  let isNavigation = false;
  if (isSafeMethod && !headerValues(headers, 'x-requested-with').join(',').toLowerCase().includes('xmlhttprequest')) {
    const fetchModes = headerValues(headers, 'sec-fetch-mode');
    isNavigation = fetchModes.length > 0
      ? fetchModes.length === 1 && fetchModes[0].trim().toLowerCase() === 'navigate'
      : headerValues(headers, 'accept').join(',').toLowerCase().includes('text/html');
  }

  return {
    ok: true,
    request: {
      raw: raw as unknown as CloudFrontRequest,
      method: upperMethod,
      uri,
      querystring,
      host,
      cookieHeaders: headerValues(headers, 'cookie'),
      isNavigation,
      isSafeMethod,
    },
  };
}

/** Parse a query string strictly: every name at most once (else `undefined`), bounded size. */
export function parseQuery(querystring: string, maxLength = 8192): Map<string, string> | undefined {
  if (querystring.length > maxLength) return undefined;
  const out = new Map<string, string>();
  for (const pair of querystring.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    if (out.has(name)) return undefined;
    out.set(name, value);
  }
  return out;
}

/** Replace a header on the request (or delete it with an empty list). */
export function setHeader(headers: CloudFrontHeaders, name: string, key: string, values: readonly string[]): void {
  if (values.length === 0) delete headers[name];
  else headers[name] = values.map((value) => ({ key, value }));
}
