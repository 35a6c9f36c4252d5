import { strict as assert } from 'node:assert';
import {
  describeSites,
  isSecretKey,
  KUBERNETES_PRODUCTION_VALUES,
  keysInEnvExample,
  keysReadBySource,
  parseEnvFile,
  PLATFORM_SETTINGS,
  REQUIRED_IN_COMPOSE,
  REQUIRED_IN_PRODUCTION,
} from './support/appSettings';
import { isExpression, webAppSettingNames, webAppSettingValue } from './support/armTemplate';
import { composeEnvironment, type K8sObject, loadArmTemplate, loadCompose, loadK8sObjects, onlyOne } from './support/manifests';

/** App Service parameter defaults that deliberately differ from .env.example's development defaults. */
const APP_SERVICE_PRODUCTION_VALUES: Record<string, string> = {
  MicrosoftAppType: 'UserAssignedMSI: multi-tenant bots can no longer be created, and a managed identity has no secret to leak',
};

/** One place that sets settings, and the keys it sets. */
interface Target {
  name: string;
  keys: string[];
}

function k8sConfigMap(): K8sObject {
  return onlyOne(loadK8sObjects(), 'ConfigMap');
}

function k8sSecret(): K8sObject {
  return onlyOne(loadK8sObjects(), 'Secret');
}

function targets(): Target[] {
  return [
    {
      name: 'App Service (deploymentTemplates/existing-resource-group/main.json appSettings)',
      keys: webAppSettingNames(loadArmTemplate('existing-resource-group')),
    },
    { name: 'Kubernetes ConfigMap (k8s/configmap.yaml)', keys: Object.keys(k8sConfigMap().data ?? {}) },
    { name: 'Kubernetes Secret (k8s/secret.example.yaml)', keys: Object.keys(k8sSecret().stringData ?? {}) },
    { name: 'docker-compose bot environment (docker-compose.yml)', keys: [...composeEnvironment(loadCompose().services.bot).keys()] },
  ];
}

describe('deployment: the settings the app reads are the settings the deployments set', () => {
  it('should find the key-reading scanners working on a sample', () => {
    const env = parseEnvFile(['# comment: not a key', 'A_KEY=1', '# B_KEY=', '# e.g. use=this', 'MicrosoftAppId='].join('\n'));
    assert.deepEqual([...env.keys()], ['A_KEY', 'B_KEY', 'MicrosoftAppId']);
    assert.equal(env.get('B_KEY')?.commented, true);
    const read = keysReadBySource();
    assert.ok(read.has('PORT') && read.has('MicrosoftAppId'), 'src/config reads PORT and MicrosoftAppId');
  });

  it('should document in .env.example exactly the keys src/config reads', () => {
    const read = keysReadBySource();
    const documented = keysInEnvExample();
    const undocumented = [...read.keys()].filter((k) => !documented.has(k)).map((k) => `${k} (read at ${describeSites(read.get(k))})`);
    const unread = [...documented.keys()].filter((k) => !read.has(k)).map((k) => `${k} (.env.example:${documented.get(k)?.line})`);
    assert.deepEqual(
      { 'read by src/config but missing from .env.example': undocumented, 'in .env.example but read nowhere in src/config': unread },
      {
        'read by src/config but missing from .env.example': [],
        'in .env.example but read nowhere in src/config': [],
      },
    );
  });

  it('should set, everywhere, only settings the app or its platform reads', () => {
    const read = keysReadBySource();
    const unknown = targets().flatMap((t) => t.keys.filter((k) => !read.has(k) && !(k in PLATFORM_SETTINGS)).map((k) => `${k} in ${t.name}`));
    assert.deepEqual(unknown, [], 'these keys are not read by src/config (typo, or a setting that was removed)');
  });

  it('should keep the production-required list to keys the app really reads', () => {
    const read = keysReadBySource();
    assert.deepEqual(
      [...REQUIRED_IN_PRODUCTION, ...REQUIRED_IN_COMPOSE].filter((k) => !read.has(k)),
      [],
    );
  });

  it('should set every production-required setting in App Service and in Kubernetes', () => {
    const [appService, configMap, secret] = targets();
    const missing = [
      ...REQUIRED_IN_PRODUCTION.filter((k) => !appService.keys.includes(k)).map((k) => `${k} missing from ${appService.name}`),
      ...REQUIRED_IN_PRODUCTION.filter((k) => !configMap.keys.includes(k) && !secret.keys.includes(k)).map(
        (k) => `${k} missing from both ${configMap.name} and ${secret.name}`,
      ),
    ];
    assert.deepEqual(missing, []);
  });

  it('should set the stack-specific settings in docker-compose and take the rest from .env', () => {
    const bot = loadCompose().services.bot;
    const env = composeEnvironment(bot);
    assert.deepEqual(
      REQUIRED_IN_COMPOSE.filter((k) => !env.has(k)),
      [],
      'missing from the bot service environment',
    );
    const envFiles = (Array.isArray(bot.env_file) ? bot.env_file : [bot.env_file]).map((f) => (typeof f === 'string' ? f : f?.path));
    assert.deepEqual(envFiles, ['.env']);
  });

  it('should list every setting the app reads in the Kubernetes ConfigMap or Secret', () => {
    const read = keysReadBySource();
    const listed = new Set([...Object.keys(k8sConfigMap().data ?? {}), ...Object.keys(k8sSecret().stringData ?? {})]);
    const missing = [...read.keys()]
      .filter((k) => !listed.has(k))
      .map((k) => `${k} (read at ${describeSites(read.get(k))}): add it to k8s/${isSecretKey(k) ? 'secret.example.yaml' : 'configmap.yaml'}`);
    assert.deepEqual(missing, []);
  });

  it('should keep secrets out of plain configuration', () => {
    const configMap = k8sConfigMap();
    assert.deepEqual(Object.keys(configMap.data ?? {}).filter(isSecretKey), [], 'secret keys in the ConfigMap');
    const secretValues = Object.entries(k8sSecret().stringData ?? {}).filter(([, v]) => v !== '');
    assert.deepEqual(secretValues, [], 'the Secret is a template: all values stay empty');
    const template = loadArmTemplate('existing-resource-group');
    const plain = webAppSettingNames(template)
      .filter(isSecretKey)
      .filter((k) => !String(webAppSettingValue(template, k)).includes("format('@Microsoft.KeyVault(SecretUri={0})'"));
    assert.deepEqual(plain, [], 'App Service secrets that are not Key Vault references');
    assert.deepEqual(
      [...composeEnvironment(loadCompose().services.bot)].filter(([k, v]) => isSecretKey(k) && k !== 'MONGODB_URI' && !/^\$\{\w+:\?/.test(v)),
      [],
      'compose secrets must come from .env',
    );
  });

  it('should run in production mode in every deployment', () => {
    assert.equal(webAppSettingValue(loadArmTemplate('existing-resource-group'), 'NODE_ENV'), 'production');
    assert.equal(k8sConfigMap().data?.NODE_ENV, 'production');
    assert.equal(composeEnvironment(loadCompose().services.bot).get('NODE_ENV'), 'production');
  });

  it('should keep the Kubernetes ConfigMap values strings, equal to the documented defaults unless deliberately different', () => {
    const documented = keysInEnvExample();
    const data = k8sConfigMap().data ?? {};
    assert.deepEqual(
      Object.entries(data)
        .filter(([, v]) => typeof v !== 'string')
        .map(([k]) => k),
      [],
      'ConfigMap values must be quoted strings',
    );
    const differing = Object.entries(data)
      .filter(([k, v]) => v !== '' && !(k in KUBERNETES_PRODUCTION_VALUES) && documented.get(k)?.value && documented.get(k)?.value !== v)
      .map(([k, v]) => `${k}: ConfigMap "${v}", .env.example "${documented.get(k)?.value}"`);
    assert.deepEqual(differing, []);
  });

  it("should default the App Service template's parameters to the app's documented defaults", () => {
    const template = loadArmTemplate('existing-resource-group');
    const documented = keysInEnvExample();
    const differing: string[] = [];
    for (const key of webAppSettingNames(template)) {
      const value = webAppSettingValue(template, key);
      const match = typeof value === 'string' && isExpression(value) ? /^\[(?:string\()?parameters\('(\w+)'\)\)?\]$/.exec(value) : null;
      const documentedValue = documented.get(key)?.value;
      if (!match || !documentedValue || key in APP_SERVICE_PRODUCTION_VALUES) continue;
      const parameterDefault = template.parameters?.[match[1]]?.defaultValue;
      if (String(parameterDefault) !== documentedValue)
        differing.push(`${key}: parameter ${match[1]} defaults to "${parameterDefault}", .env.example says "${documentedValue}"`);
    }
    assert.deepEqual(differing, []);
  });
});
