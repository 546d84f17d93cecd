import { z } from 'zod';
import packageJson from '../../../package.json' with { type: 'json' };
import { apiErrorBodySchema } from '../../../shared/api/responses.ts';
import { API_ROUTES, type ApiRoute, type FileBody } from './route-table.ts';

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: '请求不合法(issues 列出每个问题)',
  401: '缺少或无效的访问令牌',
  403: '无权访问该单位的数据',
  404: '不存在',
  409: '状态冲突(如已办结)',
};

// Request side: what a client sends (before transforms); response side: what the API returns.
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function isFileBody(response: ApiRoute['response']): response is FileBody {
  return typeof (response as FileBody).mediaType === 'string';
}

function parameters(schema: z.ZodObject | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function operation(route: ApiRoute) {
  const errors = route.auth === 'token' ? [400, 401, ...(route.errors ?? [])] : [...(route.query || route.params ? [400] : [])];
  const ok = isFileBody(route.response)
    ? { description: route.response.description, content: { [route.response.mediaType]: { schema: { type: 'string', format: 'binary' } } } }
    : { description: '成功', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } };
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[{}.]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()) || 'Root'}`,
    ...(route.auth === 'none' ? { security: [] } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses: {
      200: ok,
      ...Object.fromEntries(
        errors.map((status) => [
          status,
          {
            description: ERROR_DESCRIPTIONS[status],
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
          },
        ]),
      ),
    },
  };
}

/** The OpenAPI 3.1 document of every route in the table, generated from the routes' own zod schemas. */
export function openApiDocument(routes: readonly ApiRoute[] = API_ROUTES) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Safety Net (兜底) API',
      version: packageJson.version,
      description:
        '绍兴市民政局年度工作计划跟踪与低收入人口动态监测预警平台的接口。除标注为公开的接口外都需 Bearer 令牌:本地为平台签发的 HS256 令牌,AWS 上为 Cognito 登录令牌。区县令牌只能访问本单位。',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ApiError: jsonSchema(apiErrorBodySchema, 'output') },
    },
  };
}
