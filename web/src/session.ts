import { computed, ref } from 'vue';
import { unitName } from '../../shared/domain/units.ts';

/**
 * The caller's bearer token, kept for this browser tab only (sessionStorage): closing the
 * tab logs out. Its claims are read for display and navigation; the API checks them.
 */
const STORAGE_KEY = 'safety-net.token';

export interface SessionClaims {
  unit: string;
  role: 'district' | 'city' | 'admin';
  sub?: string;
  exp?: number;
}

const token = ref<string | null>(sessionStorage.getItem(STORAGE_KEY));

export function claimsOf(value: string): SessionClaims | undefined {
  const payload = value.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as SessionClaims;
    return typeof claims.unit === 'string' && typeof claims.role === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}

export const session = {
  token: computed(() => token.value),
  claims: computed(() => (token.value ? claimsOf(token.value) : undefined)),
  unitName: computed(() => (token.value ? unitName(claimsOf(token.value)?.unit ?? '') : '')),
  isCity: computed(() => {
    const role = token.value ? claimsOf(token.value)?.role : undefined;
    return role === 'city' || role === 'admin';
  }),
  login(value: string) {
    token.value = value.trim();
    sessionStorage.setItem(STORAGE_KEY, token.value);
  },
  logout() {
    token.value = null;
    sessionStorage.removeItem(STORAGE_KEY);
  },
};
