import type {
  AlertListResponse,
  AlertView,
  ApiErrorBody,
  NotificationListResponse,
  PlanResponse,
  ProgressResponse,
  UploadGrant,
  UploadListResponse,
} from '../../../shared/api/responses.ts';
import type {
  AssignmentRequest,
  CaseworkStats,
  HouseholdFile,
  ResolutionRequest,
  VerificationRequest,
} from '../../../shared/api/casework.ts';
import { notePlatformDate } from '../format.ts';
import { session } from '../session.ts';

/**
 * The typed API client. Every response type is the API's own (shared/api): a route that
 * changes its shape fails the dashboard's type check. One function per route, so an
 * OpenAPI-generated client can replace this module without touching the pages.
 */

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: NonNullable<ApiErrorBody['error']['issues']>;
  constructor(status: number, body: ApiErrorBody | undefined) {
    super(body?.error.message ?? `请求失败(HTTP ${status})`);
    this.status = status;
    this.code = body?.error.code ?? 'unknown';
    this.issues = body?.error.issues ?? [];
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = session.token.value;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, { error: { code: 'network', message: '无法连接平台,请检查网络后重试' } });
  }
  notePlatformDate(res.headers.get('date'));
  const parsed = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    if (res.status === 401) session.logout();
    throw new ApiFailure(res.status, parsed as ApiErrorBody | undefined);
  }
  return parsed as T;
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  plan: (year?: number) => request<PlanResponse>('GET', `/plan${query({ year })}`),
  progress: (period: string) => request<ProgressResponse>('GET', `/progress${query({ period })}`),
  uploads: (period: string) => request<UploadListResponse>('GET', `/uploads${query({ period })}`),
  requestUpload: (body: { kind: string; period: string; fileName: string; sha256?: string }) =>
    request<UploadGrant>('POST', '/uploads', body),
  alerts: (filters: { status?: string; level?: string; unit?: string; limit?: number; cursor?: string }) =>
    request<AlertListResponse>('GET', `/alerts${query(filters)}`),
  alert: (id: string) => request<AlertView>('GET', `/alerts/${encodeURIComponent(id)}`),
  acknowledge: (id: string) => request<AlertView>('POST', `/alerts/${encodeURIComponent(id)}/acknowledge`),
  assign: (id: string, body: AssignmentRequest) => request<AlertView>('POST', `/alerts/${encodeURIComponent(id)}/assign`, body),
  verify: (id: string, body: VerificationRequest) => request<AlertView>('POST', `/alerts/${encodeURIComponent(id)}/verifications`, body),
  resolve: (id: string, body: ResolutionRequest) => request<AlertView>('POST', `/alerts/${encodeURIComponent(id)}/resolve`, body),
  household: (ref: string) => request<HouseholdFile>('GET', `/households/${encodeURIComponent(ref)}`),
  stats: (year: number) => request<CaseworkStats>('GET', `/stats${query({ year })}`),
  notifications: () => request<NotificationListResponse>('GET', '/notifications'),
  /** The template as a file (the route may need the token, so not a plain link). */
  async template(kind: string): Promise<Blob> {
    const token = session.token.value;
    const res = await fetch(`/templates/${encodeURIComponent(kind)}.xlsx`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new ApiFailure(res.status, (await res.json().catch(() => undefined)) as ApiErrorBody | undefined);
    return res.blob();
  },
};

/** A PUT of the file to its presigned URL, with the signed headers, reporting progress (XHR: fetch cannot). */
export function putFile(grant: UploadGrant, file: Blob, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(grant.method, grant.url);
    for (const [name, value] of Object.entries(grant.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`文件上传失败(HTTP ${xhr.status})`)));
    xhr.onerror = () => reject(new Error('文件上传失败:无法连接存储服务'));
    xhr.send(file);
  });
}
