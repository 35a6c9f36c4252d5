import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { analyse, PENDING_SCRIPTS } from '../../scripts/ci-dry-run';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOW = path.join(ROOT, '.github/workflows/ci.yml');

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML of a known shape, read field by field and checked by the assertions below.
type Obj = Record<string, any>;

function findActionlint(): string | undefined {
  for (const candidate of [process.env.ACTIONLINT, path.join(homedir(), 'go/bin/actionlint'), '/usr/local/bin/actionlint', '/usr/bin/actionlint']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('bash', ['-c', 'command -v actionlint'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

describe('pipelines: GitHub Actions and Azure Pipelines definitions', () => {
  it('should call only npm scripts that exist, name only files that exist, and have no structural problem', () => {
    const report = analyse(ROOT);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.missingScripts.filter((s) => !PENDING_SCRIPTS.includes(s)),
      [],
    );
  });

  it('should find the problems in a broken copy (the check can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ci-'));
    for (const item of ['package.json', 'azure-pipelines.yml', 'Dockerfile', '.github', 'deploymentTemplates'])
      cpSync(path.join(ROOT, item), path.join(dir, item), { recursive: true });
    const broken = readFileSync(WORKFLOW, 'utf8')
      .replace('node: [22, 24]', 'node: [20, 24]')
      .replace('npm run nlu:gate', 'npm run nlu:gait')
      .replace('main.bicep \\', 'mian.bicep \\');
    writeFileSync(path.join(dir, '.github/workflows/ci.yml'), broken);
    writeFileSync(
      path.join(dir, 'azure-pipelines.yml'),
      readFileSync(path.join(ROOT, 'azure-pipelines.yml'), 'utf8').replace('dependsOn: [Checks, Test, Image]', 'dependsOn: [Checks, Tests, Image]'),
    );

    const { problems } = analyse(dir);

    for (const expected of [
      /npm run nlu:gait: no such script/,
      /Node\.js 20 is not in package\.json engines/,
      /lacks Node\.js 22/,
      /mian\.bicep does not exist/,
      /depends on unknown stage Tests/,
    ]) {
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected a problem matching ${expected}; got ${JSON.stringify(problems)}`,
      );
    }
  });

  it('should test on Node.js 22 and 24 with the MongoDB test server and Chromium, in both definitions', () => {
    const gh = parse(readFileSync(WORKFLOW, 'utf8')) as Obj;
    assert.deepEqual(gh.jobs.test.strategy.matrix.node, [22, 24]);
    assert.equal(gh.jobs.test.env.CI, 'true');
    const commands = (gh.jobs.test.steps as Obj[])
      .map((s) => s.run)
      .filter(Boolean)
      .join('\n');
    assert.match(commands, /npm run test:mongo-server:build/);
    assert.match(commands, /npm test/);
    const azp = parse(readFileSync(path.join(ROOT, 'azure-pipelines.yml'), 'utf8')) as Obj;
    const testStage = (azp.stages as Obj[]).find((s) => s.stage === 'Test') as Obj;
    assert.deepEqual(
      Object.values(testStage.jobs[0].strategy.matrix).map((m) => (m as Obj).nodeVersion),
      ['22.x', '24.x'],
    );
  });

  it('should deploy only from main, sign in to Azure with OIDC and keep no secret in the files', () => {
    const text = readFileSync(WORKFLOW, 'utf8');
    const gh = parse(text) as Obj;
    const deploy = gh.jobs['deploy-staging'] as Obj;
    assert.match(deploy.if, /github\.ref == 'refs\/heads\/main'/);
    assert.equal(deploy.permissions['id-token'], 'write');
    const login = (deploy.steps as Obj[]).find((s) => String(s.uses).startsWith('azure/login@')) as Obj;
    assert.deepEqual(Object.keys(login.with).sort(), ['client-id', 'subscription-id', 'tenant-id']);
    assert.ok(!('creds' in login.with) && !('client-secret' in login.with));
    // Every secret-looking parameter comes from the secret store.
    for (const file of [text, readFileSync(path.join(ROOT, 'azure-pipelines.yml'), 'utf8')]) {
      for (const [, value] of file.matchAll(/(?:Password|Secret|SECRET|PASSWORD)[A-Za-z_]*="?([^"\s]+)/g))
        assert.match(value as string, /^\$/, `literal secret value ${value}`);
    }
    const azp = parse(readFileSync(path.join(ROOT, 'azure-pipelines.yml'), 'utf8')) as Obj;
    const stage = (azp.stages as Obj[]).find((s) => s.stage === 'DeployStaging') as Obj;
    assert.match(stage.condition, /isMain/);
  });

  it('should pass actionlint (with shellcheck on the run: scripts when installed)', function () {
    const actionlint = findActionlint();
    if (!actionlint) {
      console.warn('\n  ⚠ actionlint not installed (go install github.com/rhysd/actionlint/cmd/actionlint@latest): skipping the lint of ci.yml\n');
      this.skip();
    }
    execFileSync(actionlint as string, [WORKFLOW], { cwd: ROOT, encoding: 'utf8' });
  });
});
