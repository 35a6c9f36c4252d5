import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRepoFile, REPO_ROOT } from './support/appSettings';
import {
  type ArmExpr,
  type ArmParameter,
  isExpression,
  parseArmExpression,
  resourceTypeOf,
  webAppSettingNames,
  webAppSettingValue,
} from './support/armTemplate';
import {
  BICEP_FUNCTIONS,
  type BicepFile,
  type BicepParam,
  type BicepToken,
  type BicepValue,
  nameValueEntries,
  namesInArrayProperty,
  parseBicep,
} from './support/bicep';
import { loadArmTemplate, TEMPLATES_DIR, templateFolders } from './support/manifests';

function loadBicep(folder: string): BicepFile {
  return parseBicep(readRepoFile(`${TEMPLATES_DIR}/${folder}/main.bicep`));
}

function decorator(param: BicepParam, name: string): BicepValue[] | undefined {
  return param.decorators.find((d) => d.name === name)?.args;
}

/** The ARM JSON form of a Bicep default: literals as they are, expressions in brackets. */
function armDefault(value: BicepValue | undefined): unknown {
  if (value !== null && typeof value === 'object' && 'expression' in value) return `[${value.expression}]`;
  return value;
}

/** What `az bicep build` emits for one Bicep parameter. */
function expectedArmParameter(param: BicepParam): ArmParameter {
  const secure = decorator(param, 'secure') !== undefined;
  const expected: ArmParameter = { type: secure ? `secure${param.type}` : param.type };
  if (param.defaultValue !== undefined) expected.defaultValue = armDefault(param.defaultValue);
  const allowed = decorator(param, 'allowed');
  if (allowed) expected.allowedValues = allowed[0] as unknown[];
  for (const limit of ['minLength', 'maxLength', 'minValue', 'maxValue'] as const) {
    const args = decorator(param, limit);
    if (args) expected[limit] = args[0] as number;
  }
  const description = decorator(param, 'description');
  if (description) expected.metadata = { description: description[0] as string };
  return expected;
}

/** The parameters, variables and resource types a Bicep value uses. */
function bicepInputs(file: BicepFile, tokens: BicepToken[]): string[] {
  const inputs = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident' || tokens[i - 1]?.value === '.' || tokens[i + 1]?.value === '(') return;
    if (file.params.has(t.value)) inputs.add(`parameter ${t.value}`);
    if (file.vars.has(t.value)) inputs.add(`variable ${t.value}`);
    const resource = file.resources.get(t.value);
    if (resource) inputs.add(`resource ${resource.type}`);
  });
  return [...inputs].sort();
}

/** The parameters, variables and resource types an ARM value uses (names inside resourceId() excepted). */
function armInputs(value: unknown): string[] {
  const inputs = new Set<string>();
  if (typeof value !== 'string' || !isExpression(value)) return [];
  const walk = (e: ArmExpr, inResourceId: boolean): void => {
    if (e.kind === 'member') {
      walk(e.object, inResourceId);
      return;
    }
    if (e.kind === 'index') {
      walk(e.object, inResourceId);
      walk(e.index, inResourceId);
      return;
    }
    if (e.kind !== 'call') return;
    const first = e.args[0]?.kind === 'string' ? e.args[0].value : '';
    if (e.name === 'parameters') inputs.add(`parameter ${first}`);
    if (e.name === 'variables' && !inResourceId) inputs.add(`variable ${first}`);
    const type = resourceTypeOf(e);
    if (type) inputs.add(`resource ${type}`);
    for (const a of e.args) walk(a, inResourceId || type !== undefined);
  };
  walk(parseArmExpression(value.slice(1, -1)), false);
  return [...inputs].sort();
}

function withoutKey<T extends object>(value: T, key: string): Partial<T> {
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy[key];
  return copy as Partial<T>;
}

describe('deployment: Bicep templates', () => {
  it('should read declarations, interpolations, decorators and references (and report undeclared ones)', () => {
    const file = parseBicep(
      [
        "@description('a name')",
        '@minLength(3)',
        'param name string',
        '@allowed([',
        "  'a'",
        "  'b'",
        '])',
        "param kind string = 'a' // comment with 'quotes'",
        '/* block',
        '   comment */',
        "var full = '${name}-${toLower(kind)}-${missing}'",
        "resource site 'Microsoft.Web/sites@2023-12-01' = if (kind == 'a') {",
        '  name: full',
        '  properties: {',
        "    x: '${other.id}'",
        '  }',
        '}',
        'output id string = site.id',
      ].join('\n'),
    );
    assert.deepEqual([...file.params.keys()], ['name', 'kind']);
    assert.deepEqual(file.params.get('kind')?.decorators, [{ name: 'allowed', args: [['a', 'b']] }]);
    assert.equal(file.params.get('kind')?.defaultValue, 'a');
    assert.deepEqual(
      file.params.get('name')?.decorators.map((d) => d.name),
      ['description', 'minLength'],
    );
    assert.deepEqual(file.resources.get('site'), {
      symbol: 'site',
      type: 'Microsoft.Web/sites',
      apiVersion: '2023-12-01',
      existing: false,
      conditional: true,
      line: 12,
    });
    assert.deepEqual([...new Set(file.references.map((r) => r.name))].sort(), ['full', 'kind', 'missing', 'name', 'other', 'site']);
    assert.deepEqual(
      file.functionCalls.map((f) => f.name),
      ['toLower'],
    );
  });

  for (const folder of templateFolders()) {
    describe(`${folder}/main.bicep`, () => {
      it('should declare every identifier it uses and call only Bicep functions', () => {
        const bicep = loadBicep(folder);
        const declared = new Set([...bicep.params.keys(), ...bicep.vars, ...bicep.resources.keys(), ...bicep.modules.keys(), ...bicep.locals]);
        const undeclared = bicep.references.filter((r) => !declared.has(r.name)).map((r) => `${r.name} (line ${r.line})`);
        assert.deepEqual(undeclared, []);
        const unknown = bicep.functionCalls.filter((f) => !BICEP_FUNCTIONS.has(f.name)).map((f) => `${f.name}() (line ${f.line})`);
        assert.deepEqual(unknown, []);
      });

      it('should use every parameter and variable it declares', () => {
        const bicep = loadBicep(folder);
        const used = new Set(bicep.references.map((r) => r.name));
        assert.deepEqual(
          [...bicep.params.keys(), ...bicep.vars].filter((name) => !used.has(name)),
          [],
        );
      });

      it('should declare the same parameters as main.json, with the same types, defaults, limits and descriptions', () => {
        const bicep = loadBicep(folder);
        const arm = loadArmTemplate(folder);
        assert.deepEqual([...bicep.params.keys()], Object.keys(arm.parameters ?? {}), 'same names in the same order');
        for (const [name, param] of bicep.params) {
          assert.deepEqual(arm.parameters?.[name], expectedArmParameter(param), `parameter ${name}`);
        }
      });

      it('should declare the same resources (type, apiVersion, condition), variables and outputs as main.json', () => {
        const bicep = loadBicep(folder);
        const arm = loadArmTemplate(folder);
        const fromBicep = [
          ...[...bicep.resources.values()].filter((r) => !r.existing).map((r) => `${r.type}@${r.apiVersion}${r.conditional ? ' (conditional)' : ''}`),
          ...[...bicep.modules.values()].map((m) => `Microsoft.Resources/deployments@2022-09-01${m.conditional ? ' (conditional)' : ''}`),
        ].sort();
        const fromArm = arm.resources.map((r) => `${r.type}@${r.apiVersion}${r.condition !== undefined ? ' (conditional)' : ''}`).sort();
        assert.deepEqual(fromArm, fromBicep);
        assert.deepEqual(
          Object.keys(arm.variables ?? {}).filter((v) => !bicep.vars.has(v)),
          [],
          'ARM variables all come from Bicep vars',
        );
        assert.deepEqual(
          Object.entries(arm.outputs ?? {}).map(([name, o]) => `${name}: ${o.type}`),
          [...bicep.outputs].map(([name, o]) => `${name}: ${o.type}`),
        );
        assert.equal(arm.metadata?.description, bicep.metadata.description);
        for (const r of arm.resources) {
          if (r.condition !== undefined) assert.ok(typeof r.condition === 'string' && isExpression(r.condition), `${r.type} condition is an expression`);
        }
      });
    });
  }

  it('should set the same app settings, in the same order, in main.bicep and main.json', () => {
    const bicep = loadBicep('existing-resource-group');
    assert.deepEqual(namesInArrayProperty(bicep, 'appSettings'), webAppSettingNames(loadArmTemplate('existing-resource-group')));
  });

  it('should build each app setting from the same parameters, variables and resources in main.bicep and main.json', () => {
    const bicep = loadBicep('existing-resource-group');
    const arm = loadArmTemplate('existing-resource-group');
    const entries = nameValueEntries(bicep, 'appSettings');
    assert.ok(entries.length > 10, `found ${entries.length} app settings`);
    for (const entry of entries) {
      assert.deepEqual(armInputs(webAppSettingValue(arm, entry.name)), bicepInputs(bicep, entry.valueTokens), `app setting ${entry.name}`);
    }
  });

  it('should deploy the resource-group template as a module at subscription scope, passing every parameter', () => {
    const outer = loadBicep('new-resource-group');
    const inner = loadBicep('existing-resource-group');
    assert.equal(outer.targetScope, 'subscription');
    assert.equal(inner.targetScope, 'resourceGroup');
    const module = [...outer.modules.values()];
    assert.equal(module.length, 1);
    const target = path.resolve(REPO_ROOT, TEMPLATES_DIR, 'new-resource-group', module[0].path);
    assert.ok(existsSync(target), `${module[0].path} exists`);
    assert.equal(target, path.resolve(REPO_ROOT, TEMPLATES_DIR, 'existing-resource-group', 'main.bicep'));
    assert.deepEqual(module[0].params, [...inner.params.keys()]);
    for (const [name, param] of inner.params) {
      const mine = outer.params.get(name);
      assert.ok(mine, `the new-resource-group template declares ${name}`);
      const compare = (p: BicepParam) => ({
        type: p.type,
        decorators: p.decorators.filter((d) => name !== 'location' || d.name !== 'description'),
        ...(name === 'location' ? {} : { defaultValue: p.defaultValue }),
      });
      assert.deepEqual(compare(mine), compare(param), `parameter ${name} matches`);
    }
    assert.deepEqual(withoutKey(withoutKeyLines(Object.fromEntries(outer.outputs)), 'resourceGroupName'), withoutKeyLines(Object.fromEntries(inner.outputs)));
  });
});

/** Output maps compared by type only (line numbers differ between files). */
function withoutKeyLines(outputs: Record<string, { type: string; line: number }>): Record<string, { type: string }> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { type: v.type }]));
}
