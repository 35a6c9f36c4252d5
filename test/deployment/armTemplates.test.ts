import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { isSecretKey, readRepoFile, REPO_ROOT } from './support/appSettings';
import { evaluateArm } from './support/armEvaluate';
import { type ArmResource, type ArmTemplate, checkArmTemplate, webAppSettingNames, webAppSettingValue } from './support/armTemplate';
import { loadArmTemplate, templateFolders } from './support/manifests';

const EXISTING = 'existing-resource-group';
const NEW = 'new-resource-group';

function resourceOf(template: ArmTemplate, type: string): ArmResource {
  const matches = template.resources.filter((r) => r.type === type);
  assert.equal(matches.length, 1, `expected one ${type}, found ${matches.length}`);
  return matches[0];
}

describe('deployment: ARM JSON templates', () => {
  it('should have the two entry templates, for a new and for an existing resource group', () => {
    assert.deepEqual(templateFolders(), [EXISTING, NEW]);
    assert.match(loadArmTemplate(EXISTING).$schema, /\/deploymentTemplate\.json#$/);
    assert.match(loadArmTemplate(NEW).$schema, /\/subscriptionDeploymentTemplate\.json#$/);
  });

  for (const folder of [EXISTING, NEW]) {
    it(`should declare everything ${folder}/main.json refers to (parameters, variables, resources, api versions)`, () => {
      const problems = checkArmTemplate(loadArmTemplate(folder), `${folder}/main.json`);
      assert.deepEqual(problems, []);
    });
  }

  it('should report undeclared names, unknown resource types, bad child names and expression syntax errors', () => {
    const broken: ArmTemplate = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { name: { type: 'string' }, pwd: { type: 'securestring', defaultValue: 'hunter2' } },
      variables: { v: "[reference('x')]" },
      resources: [
        { type: 'Microsoft.Web/sites', apiVersion: '2023-12-01', name: "[parameters('nmae')]" },
        { type: 'Microsoft.Web/sites/config', apiVersion: '2023-12-01', name: 'appsettings', dependsOn: ["[resourceId('Microsoft.Web/serverfarms', 'p')]"] },
        {
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: "[concat(variables('missing'), uniqueStrng('a'))]",
          properties: { x: "[format('{0}', reference(resourceId('Microsoft.Web/sites', 's'), '2020-01-01').a)]" },
        },
        {
          type: 'Microsoft.KeyVault/vaults/secrets',
          apiVersion: '2023-07-01',
          name: "[format('{0}/{1}', 'kv', 's')]",
          properties: { value: "[parameters('name']" },
        },
      ],
    };
    const problems = checkArmTemplate(broken, 't').join('\n');
    assert.match(problems, /parameters\('nmae'\) is not declared/);
    assert.match(problems, /variables\('missing'\) is not declared/);
    assert.match(problems, /unknown function uniqueStrng\(\)/);
    assert.match(problems, /reference\(\) is not allowed in variables/);
    assert.match(problems, /depends on .*serverfarms.*does not declare/);
    assert.match(problems, /Microsoft\.Web\/sites\/config "appsettings": a name for this type needs 1 "\/", it has 0/);
    assert.match(problems, /uses apiVersion 2020-01-01, the template declares 2023-12-01/);
    assert.match(problems, /secure parameter pwd has a literal default/);
    assert.match(problems, /expected "," or "\)"/);
  });

  it('should embed the existing-resource-group template unchanged as the new-resource-group module', () => {
    const inner = loadArmTemplate(EXISTING);
    const outer = loadArmTemplate(NEW);
    const module = resourceOf(outer, 'Microsoft.Resources/deployments');
    const props = module.properties as { expressionEvaluationOptions: { scope: string }; parameters: Record<string, { value: string }>; template: ArmTemplate };
    assert.equal(props.expressionEvaluationOptions.scope, 'inner');
    assert.deepEqual(props.template, inner, 'run: node deploymentTemplates/scripts/build-new-resource-group-json.mjs');
    assert.deepEqual(Object.keys(props.parameters).sort(), Object.keys(inner.parameters ?? {}).sort());
    for (const [name, passed] of Object.entries(props.parameters)) {
      assert.equal(passed.value, `[parameters('${name}')]`, `${name} is passed through unchanged`);
      const { defaultValue: innerDefault, metadata: _innerMeta, ...innerRest } = inner.parameters?.[name] ?? { type: 'missing' };
      const { defaultValue: outerDefault, metadata: _outerMeta, ...outerRest } = outer.parameters?.[name] ?? { type: 'missing' };
      assert.deepEqual(outerRest, innerRest, `parameter ${name} has the same type and limits in both templates`);
      if (name !== 'location') assert.deepEqual(outerDefault, innerDefault, `parameter ${name} has the same default`);
    }
    assert.equal(outer.parameters?.location.defaultValue, '[deployment().location]');
    assert.deepEqual(resourceOf(outer, 'Microsoft.Resources/resourceGroups').name, "[parameters('resourceGroupName')]");
  });

  it('should be what the generator script produces from the resource-group template', () => {
    const script = path.join(REPO_ROOT, 'deploymentTemplates', 'scripts', 'build-new-resource-group-json.mjs');
    const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.match(out, /is up to date/);
  });

  it('should create new bots with a user-assigned managed identity by default, or SingleTenant, with the managed identity wired for MSI', () => {
    const t = loadArmTemplate(EXISTING);
    assert.deepEqual(t.parameters?.botAppType.allowedValues, ['UserAssignedMSI', 'SingleTenant', 'MultiTenant']);
    assert.equal(t.parameters?.botAppType.defaultValue, 'UserAssignedMSI');
    const bot = resourceOf(t, 'Microsoft.BotService/botServices');
    const props = bot.properties as Record<string, string>;
    assert.equal(bot.location, 'global');
    assert.equal(bot.kind, 'azurebot');
    assert.equal(props.msaAppType, "[parameters('botAppType')]");
    assert.match(props.msaAppMSIResourceId, /^\[if\(variables\('useMsi'\), resourceId\('Microsoft\.ManagedIdentity\/userAssignedIdentities'/);
    assert.match(props.endpoint, /^\[format\('https:\/\/\{0\}\/api\/messages', reference\(resourceId\('Microsoft\.Web\/sites'/);
    assert.equal(webAppSettingValue(t, 'MicrosoftAppId'), props.msaAppId, 'the app and the Azure Bot use the same app id');
    assert.equal(webAppSettingValue(t, 'MicrosoftAppType'), props.msaAppType);
    assert.equal(webAppSettingValue(t, 'MicrosoftAppTenantId'), props.msaAppTenantId);
  });

  describe('bot identity, deployment by deployment', () => {
    const TENANT = '11111111-2222-4333-8444-555555555555';
    const APP_ID = '6f1c2a4e-1b2c-4d5e-8f90-123456789abc';

    /** What a deployment with these parameters creates and sets (evaluated from main.json). */
    function deploy(parameters: Record<string, unknown>) {
      const template = loadArmTemplate(EXISTING);
      const context = { template, parameters: { appName: 'ordersupport', ...parameters }, tenantId: TENANT };
      const conditionOf = (type: string, nameIncludes = ''): boolean => {
        const r = template.resources.find((x) => x.type === type && x.name.includes(nameIncludes));
        assert.ok(r, `${type} ${nameIncludes}`);
        return r.condition === undefined || evaluateArm(r.condition, context) === true;
      };
      return {
        createsBot: conditionOf('Microsoft.BotService/botServices'),
        createsTeamsChannel: conditionOf('Microsoft.BotService/botServices/channels', 'MsTeamsChannel'),
        createsDirectLineChannel: conditionOf('Microsoft.BotService/botServices/channels', 'DirectLineChannel'),
        storesAppPassword: conditionOf('Microsoft.KeyVault/vaults/secrets', "'MicrosoftAppPassword'"),
        appType: evaluateArm(webAppSettingValue(template, 'MicrosoftAppType'), context),
        tenantId: evaluateArm(webAppSettingValue(template, 'MicrosoftAppTenantId'), context),
        botTenantId: evaluateArm(resourceOf(template, 'Microsoft.BotService/botServices').properties?.msaAppTenantId, context),
        output: (name: string): unknown => evaluateArm(template.outputs?.[name]?.value, context),
      };
    }

    it('should create an Azure Bot on a managed identity of this tenant when nothing is chosen', () => {
      const d = deploy({});
      assert.deepEqual([d.createsBot, d.createsTeamsChannel, d.createsDirectLineChannel, d.storesAppPassword], [true, true, false, false]);
      assert.equal(d.appType, 'UserAssignedMSI');
      assert.equal(d.tenantId, TENANT);
      assert.equal(d.botTenantId, TENANT);
      assert.equal(
        deploy({ microsoftAppTenantId: 'ffffffff-0000-4000-8000-000000000000' }).tenantId,
        TENANT,
        'a managed identity is always in the deployment tenant',
      );
    });

    it("should create a SingleTenant Azure Bot in the app registration's tenant, this one by default", () => {
      const same = deploy({ botAppType: 'SingleTenant', microsoftAppId: APP_ID, microsoftAppPassword: 'secret' });
      assert.deepEqual([same.createsBot, same.storesAppPassword, same.appType, same.tenantId, same.botTenantId], [true, true, 'SingleTenant', TENANT, TENANT]);
      const other = deploy({ botAppType: 'SingleTenant', microsoftAppId: APP_ID, microsoftAppTenantId: 'ffffffff-0000-4000-8000-000000000000' });
      assert.deepEqual(
        [other.tenantId, other.botTenantId, other.storesAppPassword],
        ['ffffffff-0000-4000-8000-000000000000', 'ffffffff-0000-4000-8000-000000000000', false],
      );
    });

    it('should keep an existing multi-tenant bot working without creating one: app settings only, no tenant id', () => {
      const d = deploy({ botAppType: 'MultiTenant', microsoftAppId: APP_ID, microsoftAppPassword: 'secret', enableDirectLineChannel: true });
      assert.deepEqual([d.createsBot, d.createsTeamsChannel, d.createsDirectLineChannel], [false, false, false], 'Azure refuses new multi-tenant bots');
      assert.equal(d.appType, 'MultiTenant');
      assert.equal(d.tenantId, '', 'a multi-tenant app authenticates against the Bot Framework tenant');
      assert.equal(d.storesAppPassword, true);
      assert.equal(d.output('botName'), '', 'no bot name to report');
    });
  });

  it('should run the app on a hardened Linux Node App Service with a health check', () => {
    const t = loadArmTemplate(EXISTING);
    assert.equal(resourceOf(t, 'Microsoft.Web/serverfarms').properties?.reserved, true);
    const site = resourceOf(t, 'Microsoft.Web/sites');
    const props = site.properties as Record<string, unknown> & { siteConfig: Record<string, unknown> };
    assert.equal(site.kind, 'app,linux');
    // Node.js 24 LTS by default, 22 LTS allowed: the majors package.json "engines" supports.
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    const majors = [...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])).sort((a, b) => b - a);
    assert.deepEqual(majors, [24, 22]);
    assert.deepEqual(
      t.parameters?.linuxFxVersion.allowedValues,
      majors.map((m) => `NODE|${m}-lts`),
    );
    assert.equal(t.parameters?.linuxFxVersion.defaultValue, `NODE|${majors[0]}-lts`);
    assert.equal(props.httpsOnly, true);
    assert.equal(props.siteConfig.alwaysOn, true);
    assert.equal(props.siteConfig.healthCheckPath, '/healthz');
    assert.equal(props.siteConfig.ftpsState, 'Disabled');
    assert.equal(props.siteConfig.minTlsVersion, '1.2');
    assert.match(String(props.siteConfig.appCommandLine), /^node .*dist\/src\/index\.js$/);
    assert.equal(webAppSettingValue(t, 'NODE_ENV'), 'production');
    const policies = t.resources.filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    assert.deepEqual(
      policies.map((p) => p.properties?.allow),
      [false, false],
      'basic-auth publishing (scm, ftp) is off',
    );
  });

  it('should read every secret setting from Key Vault through the identity granted Key Vault Secrets User', () => {
    const t = loadArmTemplate(EXISTING);
    const vault = resourceOf(t, 'Microsoft.KeyVault/vaults');
    assert.equal(vault.properties?.enableRbacAuthorization, true);
    const role = resourceOf(t, 'Microsoft.Authorization/roleAssignments');
    assert.equal(t.variables?.keyVaultSecretsUserRoleId, '4633458b-17de-408a-b874-0445c86b69e6');
    assert.match(String(role.properties?.principalId), /userAssignedIdentities.*\.principalId\]$/);
    const site = resourceOf(t, 'Microsoft.Web/sites');
    assert.match(String((site.properties as Record<string, unknown>).keyVaultReferenceIdentity), /userAssignedIdentities/);
    const secretSettings = webAppSettingNames(t).filter(isSecretKey);
    assert.ok(secretSettings.length >= 4, `secret settings found: ${secretSettings.join(', ')}`);
    for (const name of secretSettings) {
      const value = String(webAppSettingValue(t, name));
      assert.match(
        value,
        /format\('@Microsoft\.KeyVault\(SecretUri=\{0\}\)', reference\(resourceId\('Microsoft\.KeyVault\/vaults\/secrets'/,
        `${name} is a Key Vault reference`,
      );
    }
    assert.deepEqual(
      Object.values(t.parameters ?? {})
        .filter((p) => p.type === 'securestring')
        .map((p) => p.defaultValue),
      Object.values(t.parameters ?? {})
        .filter((p) => p.type === 'securestring')
        .map(() => ''),
      'secure parameters default to empty',
    );
  });

  it('should send telemetry to a workspace-based Application Insights through APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
    const t = loadArmTemplate(EXISTING);
    const insights = resourceOf(t, 'Microsoft.Insights/components');
    assert.match(String(insights.properties?.WorkspaceResourceId), /Microsoft\.OperationalInsights\/workspaces/);
    assert.equal(
      webAppSettingValue(t, 'APPLICATIONINSIGHTS_CONNECTION_STRING'),
      "[reference(resourceId('Microsoft.Insights/components', variables('appInsightsName')), '2020-02-02').ConnectionString]",
    );
  });

  it('should create Cosmos DB for MongoDB vCore only when asked, else store the given connection string', () => {
    const t = loadArmTemplate(EXISTING);
    assert.deepEqual(t.parameters?.mongoMode.allowedValues, ['cosmosVCore', 'existing']);
    const cluster = resourceOf(t, 'Microsoft.DocumentDB/mongoClusters');
    assert.equal(cluster.condition, "[variables('useCosmos')]");
    const secret = t.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults/secrets' && r.name.includes("'MongoDbUri'"));
    assert.match(
      String(secret?.properties?.value),
      /^\[if\(variables\('useCosmos'\), replace\(replace\(reference\(resourceId\('Microsoft\.DocumentDB\/mongoClusters'.*parameters\('existingMongoConnectionString'\)\)\]$/,
    );
    assert.match(String(webAppSettingValue(t, 'MONGODB_URI')), /'MongoDbUri'/);
  });
});
