import { strict as assert } from 'node:assert';
import { loadConfig } from '../../../src/config/config';
import { ConfigError, ConfigErrors } from '../../../src/errors';

function expectSetting(env: Record<string, string>, setting: string, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.setting === setting && pattern.test(err.message),
  );
}

describe('loadConfig', () => {
  it('should run on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.nodeEnv, 'development');
    assert.equal(config.orders.apiUrl, undefined);
    assert.match(config.orders.file, /data\/orders\.json$/);
    assert.match(config.nlu.trainingFile, /data\/nlu\.yml$/);
    assert.equal(config.auth.MicrosoftAppId, '');
  });

  it('should freeze the result', () => {
    const config = loadConfig({});
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.ok(Object.isFrozen(config.orders));
  });

  it('should report every bad setting at once, each with its own reason', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', NLU_THRESHOLD: '2', MicrosoftAppType: 'Whatever', MAX_ATTACHMENTS: '-1', ORDERS_API_URL: 'ftp://x' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigErrors, `expected ConfigErrors, got ${String(err)}`);
        assert.deepEqual(err.problems.map((p) => p.setting).sort(), ['MAX_ATTACHMENTS', 'MicrosoftAppType', 'NLU_THRESHOLD', 'ORDERS_API_URL', 'PORT']);
        assert.match(err.message, /^5 settings need fixing:/);
        assert.match(err.message, /PORT: expected a whole number/);
        assert.match(err.message, /NLU_THRESHOLD: expected a number from 0 to 1/);
        return true;
      },
    );
  });

  it('should report a cross-field problem beside value problems of other sections', () => {
    assert.throws(
      () => loadConfig({ MicrosoftAppPassword: 'secret', PORT: '-5', NODE_ENV: 'production' }),
      (err: unknown) =>
        err instanceof ConfigErrors &&
        err.problems.length === 5 &&
        /MONGODB_URI: is required/.test(err.message) &&
        /MicrosoftAppId: is empty but MicrosoftAppPassword/.test(err.message) &&
        /PORT/.test(err.message) &&
        /NODE_ENV=production/.test(err.message),
    );
  });

  it('should name the setting for malformed values', () => {
    expectSetting({ PORT: 'eighty' }, 'PORT', /whole number/);
    expectSetting({ PORT: '70000' }, 'PORT', /0 to 65535/);
    expectSetting({ ORDERS_API_URL: 'ftp://x' }, 'ORDERS_API_URL', /http or https/);
    expectSetting({ ORDERS_FILE: '/nonexistent/orders.json' }, 'ORDERS_FILE', /does not exist/);
    expectSetting({ NLU_THRESHOLD: '2' }, 'NLU_THRESHOLD', /0 to 1/);
    expectSetting({ ORDER_ID_PATTERN: '([' }, 'ORDER_ID_PATTERN', /not a valid regular expression/);
    expectSetting({ ORDER_ID_PATTERN: '^\\d{5}$' }, 'ORDER_ID_PATTERN', /must not be anchored/);
    expectSetting({ MicrosoftAppType: 'Whatever' }, 'MicrosoftAppType', /one of MultiTenant, SingleTenant, UserAssignedMSI/);
  });

  it('should read the NLU model cache and built-in entity kinds', () => {
    assert.match(loadConfig({}).nlu.modelFile ?? '', /models\/bot\.model\.json$/);
    assert.equal(loadConfig({ NLU_MODEL_FILE: 'none' }).nlu.modelFile, undefined);
    assert.deepEqual(loadConfig({}).nlu.builtinEntities, ['email', 'phonenumber', 'url']);
    assert.deepEqual(loadConfig({ NLU_BUILTIN_ENTITIES: 'number, datetime' }).nlu.builtinEntities, ['number', 'datetime']);
    assert.deepEqual(loadConfig({ NLU_BUILTIN_ENTITIES: 'none' }).nlu.builtinEntities, []);
    expectSetting({ NLU_BUILTIN_ENTITIES: 'number,money' }, 'NLU_BUILTIN_ENTITIES', /unknown kind\(s\) money/);
  });

  it('should accept a directory or glob of training data as NLU_FILE and name it when it matches nothing', () => {
    const dir = 'test/recognizers/fixtures/project/data';
    assert.match(loadConfig({ NLU_FILE: dir }).nlu.trainingFile, /fixtures\/project\/data$/);
    assert.match(loadConfig({ NLU_FILE: `${dir}/nlu/*.yml` }).nlu.trainingFile, /nlu\/\*\.yml$/);
    expectSetting({ NLU_FILE: `${dir}/nlu/*.json` }, 'NLU_FILE', /no \.yml, \.yaml or \.jsonl file matches this pattern.*glob such as data\/nlu\/\*\.yml/);
  });

  it('should check Bot Framework credentials across fields', () => {
    expectSetting({ MicrosoftAppPassword: 'secret' }, 'MicrosoftAppId', /MicrosoftAppPassword is set/);
    expectSetting({ MicrosoftAppType: 'SingleTenant', MicrosoftAppId: 'id' }, 'MicrosoftAppTenantId', /SingleTenant/);
  });

  it('should refuse production without Bot Framework credentials unless explicitly allowed', () => {
    const production = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://127.0.0.1:1', DIRECTLINE_SECRET: 'a-long-enough-directline-secret-0123456789' };
    expectSetting(production, 'MicrosoftAppId', /required when NODE_ENV=production.*ALLOW_UNAUTHENTICATED_MESSAGES=true/);
    assert.equal(loadConfig({ ...production, ALLOW_UNAUTHENTICATED_MESSAGES: 'true' }).auth.MicrosoftAppId, '');
    const single = { ...production, MicrosoftAppType: 'SingleTenant', MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: 'tenant' };
    assert.equal(loadConfig(single).auth.MicrosoftAppId, 'app');
  });

  it('should prefer the orders API when ORDERS_API_URL is set, trimming the trailing slash', () => {
    const config = loadConfig({ ORDERS_API_URL: 'https://orders.example.com/api/', ORDERS_FILE: '/nonexistent.json' });
    assert.equal(config.orders.apiUrl, 'https://orders.example.com/api');
  });
});
