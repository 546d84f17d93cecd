import { shallowRef } from 'vue';

/**
 * The stage's hosted login on AWS (Cognito, authorization code + PKCE). The CDK app deploys
 * `config.json` beside the dashboard; locally there is none and the login page asks for a
 * token instead. The ID token the login returns is the bearer token the API's JWT
 * authorizer accepts; its unit and role come from `custom:unit`/`custom:role` or the groups.
 */
export interface HostedLoginConfig {
  apiUrl: string;
  clientId: string;
  loginUrl: string;
  redirectUri: string;
}

/** The stage's login, once `config.json` was read; undefined in local mode. */
export const hostedLogin = shallowRef<HostedLoginConfig | undefined>();

const VERIFIER_KEY = 'safety-net.pkce-verifier';
const STATE_KEY = 'safety-net.login-state';

function isHostedLoginConfig(value: unknown): value is HostedLoginConfig {
  const v = value as Partial<HostedLoginConfig> | null;
  return !!v && ['apiUrl', 'clientId', 'loginUrl', 'redirectUri'].every((k) => typeof v[k as keyof HostedLoginConfig] === 'string');
}

/** `config.json` when the dashboard is served by the stage (CloudFront), else undefined (local mode). */
export async function loadHostedLoginConfig(
  fetchJson: (path: string) => Promise<Response> = fetch,
): Promise<HostedLoginConfig | undefined> {
  try {
    const res = await fetchJson('config.json');
    if (!res.ok) {
      await res.body?.cancel(); // an unread body keeps the request open (the page never goes network-idle)
      return undefined;
    }
    const config: unknown = await res.json();
    return isHostedLoginConfig(config) ? config : undefined;
  } catch {
    return undefined;
  }
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** A fresh PKCE code verifier (RFC 7636: 43 characters from 32 random bytes). */
export function newCodeVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier. */
export async function codeChallengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function authorizeUrl(config: HostedLoginConfig, challenge: string, state: string): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid profile',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  });
  return `${config.loginUrl}/oauth2/authorize?${query}`;
}

/** Sends the browser to the hosted login; it comes back to `redirectUri` with `?code=…&state=…`. */
export async function startHostedLogin(config: HostedLoginConfig): Promise<void> {
  const verifier = newCodeVerifier();
  const state = newCodeVerifier();
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  location.assign(authorizeUrl(config, await codeChallengeOf(verifier), state));
}

/**
 * On the way back from the hosted login: exchanges the code for tokens and returns the ID
 * token, or undefined when this page load is not a login's return (or its state does not match).
 */
export async function completeHostedLogin(config: HostedLoginConfig, here: URL, post: typeof fetch = fetch): Promise<string | undefined> {
  const code = here.searchParams.get('code');
  const state = here.searchParams.get('state');
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (!code || !verifier || !state || state !== expected) return undefined;
  const res = await post(`${config.loginUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: verifier,
    }),
  });
  if (!res.ok) return undefined;
  const tokens = (await res.json()) as { id_token?: string };
  return tokens.id_token;
}
