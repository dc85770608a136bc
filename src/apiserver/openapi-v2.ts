import { isObject } from '../api/object.ts';

type Json = Record<string, unknown>;

/** `#/components/schemas/X` → `#/definitions/X`, everywhere in a schema. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/components/schemas/', '#/definitions/')
        : rewriteRefs(v);
  }
  // Swagger 2.0 has no oneOf (v3 uses it for IntOrString and Quantity): keep the string form.
  if (Array.isArray(out.oneOf)) {
    delete out.oneOf;
    out.type = 'string';
  }
  return out;
}

function parameter(p: Json): Json {
  const { schema, ...rest } = p;
  if (isObject(schema) && rest.in !== 'body') {
    const { type, uniqueItems, format } = schema;
    return {
      ...rest,
      ...(type ? { type } : {}),
      ...(format ? { format } : {}),
      ...(uniqueItems ? { uniqueItems } : {}),
    };
  }
  return { ...rest, ...(schema ? { schema: rewriteRefs(schema) } : {}) };
}

function operation(op: Json): Json {
  const { requestBody, responses, parameters, ...rest } = op;
  const params = (Array.isArray(parameters) ? parameters : []).filter(isObject).map(parameter);
  if (isObject(requestBody) && isObject(requestBody.content)) {
    const [first] = Object.values(requestBody.content).filter(isObject);
    params.push({
      name: 'body',
      in: 'body',
      required: requestBody.required ?? true,
      schema: rewriteRefs(first?.schema),
    });
  }
  const outResponses: Json = {};
  for (const [code, r] of Object.entries(isObject(responses) ? responses : {})) {
    if (!isObject(r)) continue;
    const content = isObject(r.content) ? Object.values(r.content).filter(isObject)[0] : undefined;
    outResponses[code] = {
      description: r.description ?? '',
      ...(content?.schema ? { schema: rewriteRefs(content.schema) } : {}),
    };
  }
  return {
    ...rest,
    consumes: ['*/*'],
    produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
    schemes: ['https'],
    ...(params.length ? { parameters: params } : {}),
    responses: outResponses,
  };
}

/** One Swagger 2.0 document from the per-group-version OpenAPI v3 documents. */
export function swaggerFromV3(docs: readonly Json[], version: string): Json {
  const definitions: Json = {};
  const paths: Json = {};
  for (const doc of docs) {
    const schemas =
      isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
    for (const [name, schema] of Object.entries(schemas)) definitions[name] = rewriteRefs(schema);
    for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
      if (!isObject(item)) continue;
      const out: Json = {};
      for (const [key, value] of Object.entries(item)) {
        if (key === 'parameters' && Array.isArray(value))
          out.parameters = value.filter(isObject).map(parameter);
        else if (isObject(value)) out[key] = operation(value);
      }
      paths[path] = out;
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths,
    definitions,
    securityDefinitions: {
      BearerToken: {
        description: 'Bearer Token authentication',
        type: 'apiKey',
        name: 'authorization',
        in: 'header',
      },
    },
    security: [{ BearerToken: [] }],
  };
}
