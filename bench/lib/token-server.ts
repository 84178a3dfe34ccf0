/**
 * A tiny local Cognito token endpoint on 127.0.0.1 that answers the refresh grant with fresh,
 * pre-minted tokens signed by the bench key (pre-minted so that signing cost is not charged to
 * the measured process's request latency). Served on HTTP and on HTTPS (self-signed certificate
 * for 127.0.0.1; children trust it through NODE_EXTRA_CA_CERTS).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { CLIENT_ID, TokenSet } from './jwt';

export interface TokenServer {
  readonly httpOrigin: string;
  readonly httpsOrigin: string;
  /** Refresh-grant hits per refresh token, and rejected requests. */
  readonly hits: Map<string, number>;
  readonly rejected: string[];
  close(): Promise<void>;
}

export async function startTokenServer(opts: {
  tlsKey: string;
  tlsCert: string;
  /** Refresh tokens accepted (each side uses its own, so hits can be counted per side). */
  refreshTokens: string[];
  /** Fresh tokens handed out round-robin. */
  pool: TokenSet[];
}): Promise<TokenServer> {
  const hits = new Map<string, number>();
  const rejected: string[] = [];
  let next = 0;
  const accepted = new Set(opts.refreshTokens);

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const reply = (status: number, body: unknown): void => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      const rt = form.get('refresh_token') ?? '';
      if (req.method !== 'POST' || url.pathname !== '/oauth2/token' || form.get('grant_type') !== 'refresh_token'
        || form.get('client_id') !== CLIENT_ID || !accepted.has(rt)) {
        rejected.push(`${req.method} ${url.pathname} grant=${form.get('grant_type')} client=${form.get('client_id')}`);
        reply(400, { error: 'invalid_grant' });
        return;
      }
      hits.set(rt, (hits.get(rt) ?? 0) + 1);
      const t = opts.pool[next++ % opts.pool.length];
      reply(200, { id_token: t.idToken, access_token: t.accessToken, expires_in: 3600, token_type: 'Bearer' });
    });
  };

  const plain = http.createServer(handler);
  const secure = https.createServer({ key: opts.tlsKey, cert: opts.tlsCert }, handler);
  const listen = (s: http.Server): Promise<number> => new Promise((resolve) => {
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });
  const [hp, sp] = [await listen(plain), await listen(secure)];
  return {
    httpOrigin: `http://127.0.0.1:${hp}`,
    httpsOrigin: `https://127.0.0.1:${sp}`,
    hits,
    rejected,
    close: async () => {
      for (const s of [plain, secure]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
