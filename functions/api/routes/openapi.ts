import { Hono } from 'hono';
import type { ApiEnv } from '../api-env.ts';
import { openApiDocument } from '../openapi/openapi-document.ts';

/** `GET /openapi.json` (no token): the OpenAPI 3.1 document, built once per process from the route table. */
export function openApiRoutes() {
  let document: ReturnType<typeof openApiDocument> | undefined;
  return new Hono<ApiEnv>().get('/', (c) => {
    document ??= openApiDocument();
    return c.json(document);
  });
}
