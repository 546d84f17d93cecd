import type { SignatureCheck } from './verify-signature.ts';

/** How the AWS JSON services (DynamoDB, EventBridge, Secrets Manager) answer a request whose signature fails. */
export function jsonAuthError(check: Extract<SignatureCheck, { ok: false }>): { status: number; type: string; message: string } {
  switch (check.code) {
    case 'MissingAuthenticationToken':
      return { status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    case 'InvalidAccessKeyId':
      return { status: 400, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    case 'RequestExpired':
    case 'RequestTimeTooSkewed':
      return { status: 400, type: 'InvalidSignatureException', message: `Signature expired: ${check.message}` };
    default:
      return { status: 400, type: 'InvalidSignatureException', message: check.message };
  }
}
