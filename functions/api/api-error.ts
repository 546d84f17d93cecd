import { z } from 'zod';

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 500;

/** One problem with the input, as returned in `error.issues`. */
export interface InputIssue {
  path: Array<string | number>;
  code: string;
  message: string;
}

/** An error the API answers with `{ error: { code, message[, issues] } }`; messages are for people, in Chinese. */
export class ApiError extends Error {
  constructor(
    readonly status: ApiErrorStatus,
    readonly code: string,
    message: string,
    readonly issues?: InputIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static invalidInput(message: string, issues?: InputIssue[]): ApiError {
    return new ApiError(400, 'invalid-input', message, issues);
  }
  static unauthorized(message: string): ApiError {
    return new ApiError(401, 'unauthorized', message);
  }
  static forbidden(message: string): ApiError {
    return new ApiError(403, 'forbidden', message);
  }
  static notFound(message: string): ApiError {
    return new ApiError(404, 'not-found', message);
  }
  static methodNotAllowed(method: string, allowed: readonly string[]): ApiError {
    return new ApiError(405, 'method-not-allowed', `此接口不支持 ${method} 方法(可用: ${allowed.join('、')})`);
  }
  static conflict(message: string): ApiError {
    return new ApiError(409, 'conflict', message);
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

// Per-parse Chinese messages: a global z.config would change the messages of
// every function sharing the process (the local runtime runs them all in one).
const chinese = { error: z.locales.zhCN().localeError };

/** Validates request input; a mismatch is a 400 with the zod issues, in Chinese. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input, chinese);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0];
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  throw ApiError.invalidInput(`请求参数不合法 (${where}${first.message})`, issues);
}
