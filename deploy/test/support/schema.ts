import { nameOf, type KubeObject } from './render.js';

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: unknown;
}

type Validate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `apps/v1` Deployment → IoK8sApiAppsV1Deployment; `v1` Service → IoK8sApiCoreV1Service. */
export function schemaName({ apiVersion, kind }: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `IoK8sApi${capitalize(group!.split('.')[0]!)}${capitalize(version!)}${kind}`;
}

async function validatorFor(object: KubeObject): Promise<Validate | string> {
  const name = schemaName(object);
  try {
    const module = (await import(`kubernetes-models/_schemas/${name}`)) as { validate: Validate };
    return module.validate;
  } catch {
    return `no Kubernetes schema for ${object.apiVersion} ${object.kind}`;
  }
}

/**
 * The schemas of kubernetes-models check types, formats and required fields, but allow unknown
 * fields (the API server drops them silently, or refuses them in strict mode). A field the
 * validator never reads is one the schema does not know: the object is validated through proxies
 * that note which fields are read, and every other field is reported.
 */
function validateStrictly(validate: Validate, object: KubeObject): { errors: SchemaError[]; unknown: string[] } {
  // One proxy and one set of read fields per object: the validator reads a field more than once.
  const watched = new Map<object, { path: string; proxy: object; read: Set<string> }>();
  const watch = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = watched.get(value);
    if (known) return known.proxy;
    const read = new Set<string>();
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const child: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return child;
        read.add(key);
        return watch(child, `${path}/${key}`);
      },
    });
    watched.set(value, { path, proxy, read });
    return proxy;
  };
  const valid = validate(watch(object, ''));
  const errors = valid ? [] : (validate.errors ?? []);
  const unknown = [...watched].flatMap(([value, { path, read }]) =>
    Array.isArray(value) ? [] : Object.keys(value).flatMap((key) => (read.has(key) ? [] : [`${path}/${key}`])),
  );
  return { errors, unknown };
}

/** Every problem of every object against the Kubernetes schemas: wrong types, missing and unknown fields. */
export async function schemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const validate = await validatorFor(object);
    if (typeof validate === 'string') {
      problems.push(`${nameOf(object)}: ${validate}`);
      continue;
    }
    const { errors, unknown } = validateStrictly(validate, object);
    for (const error of errors)
      problems.push(`${nameOf(object)}: ${error.instancePath || '/'} ${error.keyword} ${JSON.stringify(error.params)}`);
    for (const path of unknown) problems.push(`${nameOf(object)}: ${path} is not a field of ${object.kind}`);
  }
  return problems;
}
