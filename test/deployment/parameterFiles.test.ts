import { strict as assert } from 'node:assert';
import { readRepoFile } from './support/appSettings';
import type { ArmParameter, ArmTemplate } from './support/armTemplate';
import { loadArmTemplate, parameterFiles, TEMPLATES_DIR, templateFolders } from './support/manifests';

interface ParameterFile {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, { value?: unknown; reference?: { keyVault: { id: string }; secretName: string } }>;
}

/** Problems of one parameter file against its template; empty when it fits. */
function checkParameterFile(file: ParameterFile, template: ArmTemplate): string[] {
  const problems: string[] = [];
  if (file.$schema !== 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#') problems.push(`$schema is "${file.$schema}"`);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(file.contentVersion)) problems.push(`contentVersion is "${file.contentVersion}"`);
  const declared: Record<string, ArmParameter> = template.parameters ?? {};
  for (const [name, entry] of Object.entries(file.parameters)) {
    const param = declared[name];
    if (!param) {
      problems.push(`${name} is not a parameter of the template`);
      continue;
    }
    if (entry.reference) {
      if (!param.type.startsWith('secure')) problems.push(`${name} is a Key Vault reference but not a secure parameter`);
      continue;
    }
    const value = entry.value;
    if (param.type.startsWith('secure') && value !== '' && value !== undefined) {
      problems.push(`${name} is secure: pass it on the command line or as a Key Vault reference, never in the file`);
    }
    const expected = { string: 'string', securestring: 'string', int: 'number', bool: 'boolean', object: 'object', array: 'object' }[param.type];
    if (typeof value !== expected) problems.push(`${name} should be a ${param.type}, got ${JSON.stringify(value)}`);
    if (param.allowedValues && !param.allowedValues.includes(value))
      problems.push(`${name}: ${JSON.stringify(value)} is not one of ${JSON.stringify(param.allowedValues)}`);
    if (typeof value === 'string' && param.minLength !== undefined && value.length < param.minLength)
      problems.push(`${name} is shorter than ${param.minLength}`);
    if (typeof value === 'string' && param.maxLength !== undefined && value.length > param.maxLength)
      problems.push(`${name} is longer than ${param.maxLength}`);
    if (typeof value === 'number' && param.minValue !== undefined && value < param.minValue) problems.push(`${name} is below ${param.minValue}`);
    if (typeof value === 'number' && param.maxValue !== undefined && value > param.maxValue) problems.push(`${name} is above ${param.maxValue}`);
  }
  for (const [name, param] of Object.entries(declared)) {
    const required = param.defaultValue === undefined && !param.type.startsWith('secure');
    if (required && !(name in file.parameters)) problems.push(`${name} is required by the template but missing`);
  }
  return problems;
}

describe('deployment: parameter files', () => {
  it('should report unknown, mistyped, disallowed, missing and secret-bearing parameters', () => {
    const template = loadArmTemplate('existing-resource-group');
    const problems = checkParameterFile(
      {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
        contentVersion: '1.0.0.0',
        parameters: {
          appNmae: { value: 'x' },
          botAppType: { value: 'Msi' },
          appServiceInstanceCount: { value: '2' },
          mongoAdminPassword: { value: 'hunter2hunter2' },
        },
      },
      template,
    );
    assert.deepEqual(problems, [
      'appNmae is not a parameter of the template',
      'botAppType: "Msi" is not one of ["UserAssignedMSI","SingleTenant","MultiTenant"]',
      'appServiceInstanceCount should be a int, got "2"',
      'mongoAdminPassword is secure: pass it on the command line or as a Key Vault reference, never in the file',
      'appName is required by the template but missing',
    ]);
  });

  for (const folder of templateFolders()) {
    it(`should have a parameter file for ${folder}`, () => {
      assert.ok(parameterFiles(folder).includes('main.parameters.json'));
    });
    for (const name of parameterFiles(folder)) {
      it(`should fit ${folder}/${name} to the parameters of ${folder}/main.json`, () => {
        const file = JSON.parse(readRepoFile(`${TEMPLATES_DIR}/${folder}/${name}`)) as ParameterFile;
        assert.deepEqual(checkParameterFile(file, loadArmTemplate(folder)), []);
      });
    }
  }
});
