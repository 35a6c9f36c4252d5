import { strict as assert } from 'node:assert';
import { keysInEnvExample, readRepoFile } from './support/appSettings';
import { composeEnvironment, loadCompose, parseYamlFile } from './support/manifests';

describe('deployment: docker-compose.yml', () => {
  it('should parse as one YAML document with a bot and a mongo service', () => {
    assert.equal(parseYamlFile('docker-compose.yml').length, 1);
    assert.deepEqual(Object.keys(loadCompose().services).sort(), ['bot', 'mongo']);
  });

  it('should run MongoDB 7 with a health check and a named volume for its data', () => {
    const compose = loadCompose();
    const mongo = compose.services.mongo;
    assert.match(mongo.image ?? '', /^mongo:7(\.|$)/);
    const test = Array.isArray(mongo.healthcheck?.test) ? mongo.healthcheck?.test.join(' ') : mongo.healthcheck?.test;
    assert.match(test ?? '', /mongosh.*ping/);
    const dataVolume = (mongo.volumes ?? []).map(String).find((v) => v.endsWith(':/data/db'));
    assert.ok(dataVolume, 'a volume at /data/db');
    assert.ok(compose.volumes && dataVolume.split(':')[0] in compose.volumes, `${dataVolume} is a declared named volume`);
    for (const port of mongo.ports ?? []) assert.match(String(port), /^127\.0\.0\.1:/, 'MongoDB is published on loopback only');
  });

  it('should build the bot from the Dockerfile and start it after MongoDB is healthy', () => {
    const bot = loadCompose().services.bot;
    const context = typeof bot.build === 'string' ? bot.build : bot.build?.context;
    assert.equal(context, '.');
    assert.deepEqual(bot.depends_on, { mongo: { condition: 'service_healthy' } });
    const port = keysInEnvExample().get('PORT')?.value;
    assert.ok((bot.ports ?? []).map(String).includes(`${port}:${port}`), `publishes ${port}`);
    assert.equal(bot.read_only, true, 'read-only root filesystem, as in Kubernetes');
  });

  it('should point the bot at the mongo service and take secrets from .env only', () => {
    const env = composeEnvironment(loadCompose().services.bot);
    assert.match(env.get('MONGODB_URI') ?? '', /^mongodb:\/\/mongo:27017(\/|$)/);
    assert.equal(env.get('PORT'), keysInEnvExample().get('PORT')?.value);
    assert.match(env.get('DIRECTLINE_SECRET') ?? '', /^\$\{DIRECTLINE_SECRET:\?.+\}$/, 'no default secret: compose stops until .env sets one');
  });

  it('should keep .env, where compose reads secrets from, out of git', () => {
    assert.match(readRepoFile('.gitignore'), /^\.env$/m);
    assert.ok(keysInEnvExample().size > 0);
  });
});
