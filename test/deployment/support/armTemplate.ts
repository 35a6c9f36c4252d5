/**
 * Static checks over ARM JSON templates: expression syntax, that every `parameters('x')` and
 * `variables('x')` exists, that `resourceId`/`reference`/`dependsOn` point at resources the
 * template declares (with the declared apiVersion), and that nested templates are valid on
 * their own. Azure would reject such mistakes only at deployment time.
 */

export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  metadata?: { description?: string };
}

export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  condition?: string | boolean;
  dependsOn?: string[];
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata?: Record<string, unknown>;
  parameters?: Record<string, ArmParameter>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs?: Record<string, { type: string; value: unknown }>;
}

/** A parsed ARM template language expression. */
export type ArmExpr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: ArmExpr[] }
  | { kind: 'member'; object: ArmExpr; property: string }
  | { kind: 'index'; object: ArmExpr; index: ArmExpr };

/** ARM template functions these templates may use; anything else is a typo. */
export const ARM_FUNCTIONS = new Set([
  'parameters',
  'variables',
  'resourceId',
  'subscriptionResourceId',
  'extensionResourceId',
  'tenantResourceId',
  'reference',
  'list',
  'listKeys',
  'format',
  'if',
  'equals',
  'and',
  'or',
  'not',
  'empty',
  'take',
  'skip',
  'toLower',
  'toUpper',
  'replace',
  'uniqueString',
  'resourceGroup',
  'subscription',
  'tenant',
  'deployment',
  'environment',
  'guid',
  'uriComponent',
  'uri',
  'true',
  'false',
  'null',
  'concat',
  'union',
  'contains',
  'createObject',
  'createArray',
  'string',
  'int',
  'bool',
  'json',
  'length',
  'first',
  'last',
  'coalesce',
  'split',
  'trim',
  'substring',
  'greater',
  'less',
  'greaterOrEquals',
  'lessOrEquals',
  'copyIndex',
]);

/** True when an ARM string is an expression (`[...]`, not the `[[` escape). */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

/** Parses the inside of an ARM expression (without the outer brackets). Throws on bad syntax. */
export function parseArmExpression(source: string): ArmExpr {
  let i = 0;
  const skipSpace = (): void => {
    while (i < source.length && /\s/.test(source[i])) i += 1;
  };
  const fail = (message: string): never => {
    throw new Error(`${message} at ${i} in [${source}]`);
  };
  const expect = (c: string): void => {
    skipSpace();
    if (source[i] !== c) fail(`expected "${c}"`);
    i += 1;
  };
  const primary = (): ArmExpr => {
    skipSpace();
    const c = source[i];
    if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= source.length) fail('unterminated string');
        if (source[i] === "'" && source[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (source[i] === "'") {
          i += 1;
          return { kind: 'string', value };
        } else {
          value += source[i];
          i += 1;
        }
      }
    }
    const num = /^-?\d+/.exec(source.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'number', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (!ident) return fail('expected a value');
    i += ident[0].length;
    expect('(');
    const args: ArmExpr[] = [];
    skipSpace();
    if (source[i] === ')') {
      i += 1;
    } else {
      for (;;) {
        args.push(postfix());
        skipSpace();
        if (source[i] === ',') {
          i += 1;
        } else if (source[i] === ')') {
          i += 1;
          break;
        } else {
          fail('expected "," or ")"');
        }
      }
    }
    return { kind: 'call', name: ident[0], args };
  };
  const postfix = (): ArmExpr => {
    let expr = primary();
    for (;;) {
      skipSpace();
      if (source[i] === '.') {
        i += 1;
        const prop = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
        if (!prop) fail('expected a property name');
        i += (prop as RegExpExecArray)[0].length;
        expr = { kind: 'member', object: expr, property: (prop as RegExpExecArray)[0] };
      } else if (source[i] === '[') {
        i += 1;
        const index = postfix();
        expect(']');
        expr = { kind: 'index', object: expr, index };
      } else {
        return expr;
      }
    }
  };
  const result = postfix();
  skipSpace();
  if (i !== source.length) fail('unexpected text');
  return result;
}

/** Every function call in an expression tree, outermost first. */
export function callsIn(expr: ArmExpr): Array<Extract<ArmExpr, { kind: 'call' }>> {
  const calls: Array<Extract<ArmExpr, { kind: 'call' }>> = [];
  const walk = (e: ArmExpr): void => {
    if (e.kind === 'call') {
      calls.push(e);
      e.args.forEach(walk);
    } else if (e.kind === 'member') {
      walk(e.object);
    } else if (e.kind === 'index') {
      walk(e.object);
      walk(e.index);
    }
  };
  walk(expr);
  return calls;
}

/** The resource type a `resourceId`-family call names, when written with a literal type. */
export function resourceTypeOf(call: Extract<ArmExpr, { kind: 'call' }>): string | undefined {
  const literalArgs = call.args.map((a) => (a.kind === 'string' ? a.value : undefined));
  if (call.name === 'extensionResourceId') return literalArgs[1];
  if (call.name === 'resourceId' || call.name === 'subscriptionResourceId' || call.name === 'tenantResourceId') {
    return literalArgs.find((v) => v?.includes('/'));
  }
  return undefined;
}

interface Site {
  path: string;
  value: string;
}

/**
 * Every string in `node`, with its JSON path; object keys count too (ARM evaluates expression
 * keys such as user-assigned identity ids). Nested templates with inner scope are not entered:
 * their expressions belong to the nested template.
 */
function stringsIn(node: unknown, path: string, out: Site[], nested: Array<{ path: string; template: ArmTemplate }>): void {
  if (typeof node === 'string') {
    out.push({ path, value: node });
  } else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) stringsIn(item, `${path}[${i}]`, out, nested);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const isInnerDeployment =
      record.type === 'Microsoft.Resources/deployments' &&
      (record.properties as { expressionEvaluationOptions?: { scope?: string } } | undefined)?.expressionEvaluationOptions?.scope === 'inner';
    for (const [key, child] of Object.entries(record)) {
      out.push({ path: `${path}.<key ${key}>`, value: key });
      if (isInnerDeployment && key === 'properties') {
        const props = child as { template?: ArmTemplate; [k: string]: unknown };
        for (const [k, v] of Object.entries(props)) {
          if (k === 'template') nested.push({ path: `${path}.properties.template`, template: v as ArmTemplate });
          else stringsIn(v, `${path}.properties.${k}`, out, nested);
        }
        continue;
      }
      stringsIn(child, `${path}.${key}`, out, nested);
    }
  }
}

const PARAMETER_TYPES = new Set(['string', 'securestring', 'int', 'bool', 'object', 'secureObject', 'array']);

/** Checks one template (and its inner-scope nested templates); returns readable problems. */
export function checkArmTemplate(template: ArmTemplate, label: string): string[] {
  const problems: string[] = [];
  const say = (message: string): void => {
    problems.push(`${label}: ${message}`);
  };

  if (
    !/^https:\/\/schema\.management\.azure\.com\/schemas\/[\d-]+\/(subscription|tenant|managementGroup)?[dD]eploymentTemplate\.json#$/.test(
      template.$schema ?? '',
    )
  ) {
    say(`$schema "${template.$schema}" is not an ARM deployment template schema`);
  }
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(template.contentVersion ?? '')) say(`contentVersion "${template.contentVersion}" is not like 1.0.0.0`);
  if (!Array.isArray(template.resources)) say('resources is not an array');

  const parameters = template.parameters ?? {};
  const variables = template.variables ?? {};
  for (const [name, p] of Object.entries(parameters)) {
    if (!PARAMETER_TYPES.has(p.type)) say(`parameter ${name} has unknown type "${p.type}"`);
    if (p.allowedValues && p.defaultValue !== undefined && !p.allowedValues.includes(p.defaultValue)) {
      say(`parameter ${name}: default ${JSON.stringify(p.defaultValue)} is not among its allowedValues`);
    }
    if (
      (p.type === 'securestring' || p.type === 'secureObject') &&
      p.defaultValue !== undefined &&
      p.defaultValue !== '' &&
      !(typeof p.defaultValue === 'string' && isExpression(p.defaultValue))
    ) {
      say(`secure parameter ${name} has a literal default value: secrets never live in templates`);
    }
  }

  const declared = new Map<string, ArmResource[]>();
  for (const r of template.resources ?? []) {
    if (!r.type || !r.apiVersion || r.name === undefined) say(`a resource lacks type, apiVersion or name: ${JSON.stringify(r).slice(0, 120)}`);
    declared.set(r.type, [...(declared.get(r.type) ?? []), r]);
    checkChildName(r, say);
  }

  const sites: Site[] = [];
  const nested: Array<{ path: string; template: ArmTemplate }> = [];
  stringsIn({ parameters, variables, resources: template.resources, outputs: template.outputs ?? {} }, '', sites, nested);

  for (const site of sites) {
    if (!isExpression(site.value)) continue;
    let expr: ArmExpr;
    try {
      expr = parseArmExpression(site.value.slice(1, -1));
    } catch (err) {
      say(`${site.path}: ${(err as Error).message}`);
      continue;
    }
    for (const call of callsIn(expr)) {
      const firstArg = call.args[0]?.kind === 'string' ? (call.args[0] as { value: string }).value : undefined;
      if (!ARM_FUNCTIONS.has(call.name)) say(`${site.path}: unknown function ${call.name}()`);
      if (call.name === 'parameters' && (firstArg === undefined || !(firstArg in parameters))) {
        say(`${site.path}: parameters('${firstArg}') is not declared`);
      }
      if (call.name === 'variables' && (firstArg === undefined || !(firstArg in variables))) {
        say(`${site.path}: variables('${firstArg}') is not declared`);
      }
      if (call.name === 'reference' && site.path.startsWith('.variables')) {
        say(`${site.path}: reference() is not allowed in variables`);
      }
      if (call.name === 'resourceId' || call.name === 'extensionResourceId') {
        const type = resourceTypeOf(call);
        if (!type || !declared.has(type)) say(`${site.path}: ${call.name}() names type "${type}" that this template does not declare`);
      }
      if (call.name === 'reference' && call.args[0]?.kind === 'call') {
        const type = resourceTypeOf(call.args[0]);
        const version = call.args[1]?.kind === 'string' ? call.args[1].value : undefined;
        const candidates = type ? (declared.get(type) ?? []) : [];
        if (type && candidates.length > 0 && version && !candidates.some((r) => r.apiVersion === version)) {
          say(`${site.path}: reference() to ${type} uses apiVersion ${version}, the template declares ${candidates.map((r) => r.apiVersion).join(', ')}`);
        }
      }
    }
  }

  for (const r of template.resources ?? []) {
    for (const dep of r.dependsOn ?? []) {
      if (!isExpression(dep)) continue;
      const call = parseArmExpression(dep.slice(1, -1));
      const type = call.kind === 'call' ? resourceTypeOf(call) : undefined;
      if (!type || !declared.has(type)) say(`${r.type} depends on "${dep}", which this template does not declare`);
    }
  }

  for (const [name, output] of Object.entries(template.outputs ?? {})) {
    if (!output.type || output.value === undefined) say(`output ${name} lacks type or value`);
  }

  for (const { path, template: inner } of nested) {
    problems.push(...checkArmTemplate(inner, `${label} > ${path}`));
  }
  return problems;
}

/** A child type `a/b/c` needs a name with one `/` per level below the top type. */
function checkChildName(r: ArmResource, say: (m: string) => void): void {
  const levels = r.type.split('/').length - 2;
  if (typeof r.name !== 'string') return;
  let pattern = r.name;
  if (isExpression(r.name)) {
    const expr = parseArmExpression(r.name.slice(1, -1));
    if (expr.kind !== 'call' || expr.name !== 'format' || expr.args[0]?.kind !== 'string') return;
    pattern = expr.args[0].value;
  }
  const slashes = pattern.split('/').length - 1;
  if (slashes !== levels) say(`${r.type} "${r.name}": a name for this type needs ${levels} "/", it has ${slashes}`);
}

/** The names of a web app's app settings (`siteConfig.appSettings`), in order. */
export function webAppSettingNames(template: ArmTemplate): string[] {
  const site = template.resources.find((r) => r.type === 'Microsoft.Web/sites');
  const settings = (site?.properties?.siteConfig as { appSettings?: Array<{ name: string; value: unknown }> } | undefined)?.appSettings;
  return (settings ?? []).map((s) => s.name);
}

/** The value (literal or expression) of one app setting of the template's web app. */
export function webAppSettingValue(template: ArmTemplate, name: string): unknown {
  const site = template.resources.find((r) => r.type === 'Microsoft.Web/sites');
  const settings = (site?.properties?.siteConfig as { appSettings?: Array<{ name: string; value: unknown }> } | undefined)?.appSettings;
  return settings?.find((s) => s.name === name)?.value;
}
