import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from './api-error.ts';
import { API_SECURITY_HEADERS } from './security-headers.ts';

/** Methods the Fetch API refuses to build a Request for: hono never sees them, so they are answered here. */
const FETCH_FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

// biome-ignore lint/suspicious/noExplicitAny: the Lambda context passes through untouched
type ApiHandler = (event: APIGatewayProxyEventV2, context: any) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Keeps the API's error shape for requests the app cannot take: TRACE and
 * CONNECT get a JSON 405 (or 404 off every route), and the adapter's own
 * plain-text "Invalid request" becomes a JSON 400, with the usual headers.
 */
export function answerUnrepresentable(allowed: (path: string) => string[]) {
  return (inner: ApiHandler): ApiHandler =>
    async (event, context) => {
      const method = event.requestContext?.http?.method?.toUpperCase() ?? '';
      if (FETCH_FORBIDDEN_METHODS.has(method)) {
        const methods = allowed(event.rawPath ?? '/');
        if (methods.length === 0) return errorResult(ApiError.notFound(`没有这个接口: ${method} ${event.rawPath}`));
        return errorResult(ApiError.methodNotAllowed(method, methods), { Allow: methods.join(', ') });
      }
      const result = await inner(event, context);
      const contentType = String(result.headers?.['content-type'] ?? '');
      if (result.statusCode === 400 && contentType.startsWith('text/plain'))
        return errorResult(new ApiError(400, 'invalid-request', '请求不合法:无法解析该请求'));
      return result;
    };
}

function errorResult(error: ApiError, extra: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: error.status,
    headers: { ...API_SECURITY_HEADERS, ...extra, 'Content-Type': 'application/json' },
    body: JSON.stringify(error.toBody()),
    isBase64Encoded: false,
  };
}
