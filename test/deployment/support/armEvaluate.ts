import { type ArmExpr, type ArmTemplate, isExpression, parseArmExpression } from './armTemplate';

/**
 * Evaluates ARM template values for one set of deployment parameters, so that tests can check
 * what a template does in each case (which resources it creates, which settings it writes), not
 * only how it is written. Covers the deterministic functions the templates use for such
 * decisions; anything that needs Azure (reference(), uniqueString(), resourceId()) throws.
 */
export interface ArmContext {
  template: ArmTemplate;
  /** Values given at deployment; parameters not given take their defaultValue. */
  parameters: Record<string, unknown>;
  /** What tenant() returns. */
  tenantId: string;
}

/** The value of an ARM template value (a literal, or an expression string) in a context. */
export function evaluateArm(value: unknown, context: ArmContext): unknown {
  if (typeof value !== 'string') return value;
  if (value.startsWith('[[')) return value.slice(1);
  if (!isExpression(value)) return value;
  return evaluate(parseArmExpression(value.slice(1, -1)), context, []);
}

function evaluate(e: ArmExpr, context: ArmContext, resolving: string[]): unknown {
  switch (e.kind) {
    case 'string':
    case 'number':
      return e.value;
    case 'member': {
      const object = evaluate(e.object, context, resolving) as Record<string, unknown>;
      if (!object || !(e.property in object)) throw new Error(`no property ${e.property}`);
      return object[e.property];
    }
    case 'index':
      throw new Error('indexing is not supported');
    case 'call':
      return call(e, context, resolving);
  }
}

function call(e: Extract<ArmExpr, { kind: 'call' }>, context: ArmContext, resolving: string[]): unknown {
  const arg = (i: number): unknown => {
    const node = e.args[i];
    if (!node) throw new Error(`${e.name}() needs an argument ${i + 1}`);
    return evaluate(node, context, resolving);
  };
  switch (e.name) {
    case 'parameters': {
      const name = String(arg(0));
      if (name in context.parameters) return context.parameters[name];
      const declared = context.template.parameters?.[name];
      if (!declared) throw new Error(`parameter ${name} is not declared`);
      if (declared.defaultValue === undefined) throw new Error(`parameter ${name} has no value and no default`);
      return evaluateArm(declared.defaultValue, context);
    }
    case 'variables': {
      const name = String(arg(0));
      if (resolving.includes(name)) throw new Error(`variable ${name} refers to itself`);
      if (!(name in (context.template.variables ?? {}))) throw new Error(`variable ${name} is not declared`);
      const value = context.template.variables?.[name];
      if (typeof value === 'string' && isExpression(value)) return evaluate(parseArmExpression(value.slice(1, -1)), context, [...resolving, name]);
      return value;
    }
    // if() evaluates only the branch it takes, as ARM does.
    case 'if':
      return arg(0) === true ? arg(1) : arg(2);
    case 'equals':
      return JSON.stringify(arg(0)) === JSON.stringify(arg(1));
    case 'not':
      return arg(0) !== true;
    case 'and':
      return e.args.every((_, i) => arg(i) === true);
    case 'or':
      return e.args.some((_, i) => arg(i) === true);
    case 'empty': {
      const value = arg(0);
      return (
        value === null ||
        value === '' ||
        (Array.isArray(value) && value.length === 0) ||
        (typeof value === 'object' && Object.keys(value as object).length === 0)
      );
    }
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'tenant':
      return { tenantId: context.tenantId };
    case 'toLower':
      return String(arg(0)).toLowerCase();
    case 'format':
      return String(arg(0)).replace(/\{(\d+)\}/g, (_m, i: string) => String(arg(Number(i) + 1)));
    default:
      throw new Error(`${e.name}() cannot be evaluated without Azure`);
  }
}
