// The browser bundle imports shared domain modules for their constants and schemas;
// a few of them also hash with node:crypto on the server. Nothing in the app calls it.
export function createHash(): never {
  throw new Error('node:crypto is not available in the dashboard');
}
export function createHmac(): never {
  throw new Error('node:crypto is not available in the dashboard');
}
export function createSecretKey(): never {
  throw new Error('node:crypto is not available in the dashboard');
}
