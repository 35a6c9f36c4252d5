import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BotApp } from '../../src/app';
import { existsSync } from 'node:fs';
import { keysInEnvExample, readRepoFile, REPO_ROOT } from './support/appSettings';
import { type K8sObject, loadK8sObjects, onlyOne } from './support/manifests';
import { startTestApp } from '../support/testApp';
import {
  type Dockerfile,
  type DockerStage,
  envOf,
  healthcheckCommand,
  instructionsOf,
  isDockerIgnored,
  parseCopy,
  parseDockerfile,
} from './support/dockerfile';

/** package.json's "build" script. */
function buildScript(): string {
  return (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts.build ?? '';
}

function loadDockerfile(): Dockerfile {
  return parseDockerfile(readRepoFile('Dockerfile'));
}

function finalStage(file: Dockerfile): DockerStage {
  return file.stages[file.stages.length - 1];
}

function runs(stage: DockerStage, pattern: RegExp): boolean {
  return instructionsOf(stage, 'RUN').some((i) => pattern.test(i.args));
}

/** Index of the first instruction matching, or -1. */
function indexOf(stage: DockerStage, keyword: string, pattern: RegExp): number {
  return stage.instructions.findIndex((i) => i.keyword === keyword && pattern.test(i.args));
}

/** Runs the image's HEALTHCHECK command with this machine's node, with PORT set; resolves the exit code. */
function runHealthcheck(port: number): Promise<number> {
  const { command } = healthcheckCommand(instructionsOf(finalStage(loadDockerfile()), 'HEALTHCHECK')[0]);
  const [program, ...args] = command;
  assert.equal(program, 'node');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { env: { ...process.env, PORT: String(port) }, timeout: 15_000 });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Top-level folders the app reads at run time: fromRoot('x/...') in src, default file paths in .env.example. */
function runtimeFolders(): string[] {
  const folders = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts')) {
        for (const match of readRepoFile(relative).matchAll(/fromRoot\(\s*'([^'/]+)/g)) folders.add(match[1]);
      }
    }
  };
  walk('src');
  for (const [key, entry] of keysInEnvExample()) {
    if (/_FILE$/.test(key) && /^[\w.-]+\//.test(entry.value)) folders.add(entry.value.split('/')[0]);
  }
  return [...folders].sort();
}

describe('deployment: Dockerfile', () => {
  it('should build in one stage and run from a slim stage with production dependencies only', () => {
    const file = loadDockerfile();
    assert.ok(file.stages.length >= 2, 'multi-stage');
    const build = file.stages.find((s) => runs(s, /\bnpm run build\b/));
    assert.ok(build, 'a stage runs npm run build');
    assert.ok(runs(build, /\bnpm ci\b(?!.*--omit=dev)/), 'the build stage installs all dependencies with npm ci');
    const runtime = finalStage(file);
    assert.notEqual(runtime, build);
    const copies = instructionsOf(runtime, 'COPY').map(parseCopy);
    const fromBuild = copies.find((c) => c.from === build.name);
    assert.deepEqual(fromBuild?.sources, ['/app/dist'], 'the runtime stage takes dist from the build stage');
    const modules = copies.find((c) => c.sources.some((s) => s.endsWith('node_modules')));
    const depsStage = modules?.from ? file.stages.find((s) => s.name === modules.from) : runtime;
    assert.ok(depsStage && runs(depsStage, /\bnpm ci\b.*--omit=dev/), 'node_modules come from npm ci --omit=dev');
    assert.ok(!runs(runtime, /\bnpm (ci|install)\b(?!.*--omit=dev)/), 'no dev dependencies in the runtime stage');
  });

  it('should copy .npmrc (yes=true for a postinstall npx call) before every npm ci', () => {
    assert.match(readRepoFile('.npmrc'), /^yes=true$/m);
    for (const stage of loadDockerfile().stages) {
      const ci = indexOf(stage, 'RUN', /\bnpm ci\b/);
      if (ci < 0) continue;
      const npmrc = stage.instructions.findIndex((i) => i.keyword === 'COPY' && parseCopy(i).sources.includes('.npmrc'));
      assert.ok(npmrc >= 0 && npmrc < ci, `stage ${stage.name} copies .npmrc before npm ci`);
      const lock = stage.instructions.findIndex((i) => i.keyword === 'COPY' && parseCopy(i).sources.includes('package-lock.json'));
      assert.ok(lock >= 0 && lock < ci, `stage ${stage.name} copies package-lock.json before npm ci`);
    }
  });

  it('should compile everything tsconfig.build.json includes', () => {
    const build = loadDockerfile().stages.find((s) => runs(s, /\bnpm run build\b/)) as DockerStage;
    const copied = instructionsOf(build, 'COPY').flatMap((i) => parseCopy(i).sources);
    const tsconfig = JSON.parse(readRepoFile('tsconfig.build.json')) as { extends?: string; include: string[] };
    assert.deepEqual(
      [...tsconfig.include, 'tsconfig.build.json', 'tsconfig.json'].filter((p) => !copied.includes(p)),
      [],
    );
    assert.match(buildScript(), /(^|&&\s*)tsc -p tsconfig\.build\.json(\s*&&|$)/);
  });

  it('should copy into the build stage, before npm run build, every file the build script runs', () => {
    const build = loadDockerfile().stages.find((s) => runs(s, /\bnpm run build\b/)) as DockerStage;
    const buildAt = indexOf(build, 'RUN', /\bnpm run build\b/);
    const copiedBefore = build.instructions
      .slice(0, buildAt)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => parseCopy(i).sources);
    const patterns = readRepoFile('.dockerignore').split('\n');
    // `node scripts/x.mjs`, `tsx scripts/y.ts`: files in the repository the build needs.
    const files = [...buildScript().matchAll(/\b(?:node|tsx)\s+(?:--\S+\s+)*([\w./-]+\.[cm]?[jt]s)\b/g)].map((m) => m[1] as string);
    for (const file of files) {
      assert.ok(
        copiedBefore.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)),
        `${file} is copied before npm run build`,
      );
      assert.ok(!isDockerIgnored(patterns, file), `${file} is not excluded by .dockerignore`);
    }
  });

  it('should copy only files and folders that exist in the repository', () => {
    const sources = loadDockerfile().stages.flatMap((s) =>
      instructionsOf(s, 'COPY')
        .map(parseCopy)
        .filter((c) => !c.from)
        .flatMap((c) => c.sources),
    );
    assert.ok(sources.length > 5, `${sources.length} sources`);
    assert.deepEqual(
      sources.filter((source) => !existsSync(path.join(REPO_ROOT, source))),
      [],
    );
  });

  it('should run on Node.js 24 LTS by default (22 as a build argument), on the same slim Debian base in every stage', () => {
    const file = loadDockerfile();
    const arg = file.globalArgs.map((i) => /^NODE_VERSION=(\d+)$/.exec(i.args.trim())).find(Boolean);
    assert.ok(arg, 'ARG NODE_VERSION=<major> before the first FROM');
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    const majors = [...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])).sort((a, b) => b - a);
    assert.deepEqual(majors, [24, 22], `engines: ${engines}`);
    assert.equal(Number(arg[1]), majors[0], 'the default is the newest LTS that "engines" allows');
    const bases = new Set(file.stages.map((s) => s.baseImage));
    assert.deepEqual([...bases], ['node:${NODE_VERSION}-trixie-slim'], 'one base image, with the Node major from the build argument');
    assert.match([...bases][0]?.replace('${NODE_VERSION}', arg[1] as string) ?? '', /^node:24-[a-z]+-slim$/);
  });

  it('should run as a non-root user, in production mode, on port 3978, starting package.json "main" with node', () => {
    const runtime = finalStage(loadDockerfile());
    const users = instructionsOf(runtime, 'USER');
    assert.equal(users.length, 1);
    assert.ok(!['root', '0', '0:0'].includes(users[0].args.trim()), `USER ${users[0].args}`);
    // Numeric, so that Kubernetes' runAsNonRoot can verify it, and the same uid/gid as k8s/.
    const [uid, gid] = users[0].args.trim().split(':').map(Number);
    assert.ok(Number.isInteger(uid) && (uid as number) > 0 && Number.isInteger(gid), `USER ${users[0].args} is uid:gid`);
    const pod = (onlyOne(loadK8sObjects(), 'Deployment') as K8sObject & { spec: { template: { spec: { securityContext: Record<string, unknown> } } } }).spec
      .template.spec.securityContext;
    assert.deepEqual([pod.runAsUser, pod.runAsGroup, pod.runAsNonRoot], [uid, gid, true]);
    assert.ok(indexOf(runtime, 'USER', /./) < indexOf(runtime, 'CMD', /./), 'USER comes before CMD');
    assert.equal(envOf(runtime).get('NODE_ENV'), 'production');
    const port = keysInEnvExample().get('PORT')?.value;
    assert.equal(port, '3978');
    assert.deepEqual(
      instructionsOf(runtime, 'EXPOSE').map((i) => i.args),
      [port],
    );
    assert.equal(envOf(runtime).get('PORT'), port);
    const cmd = JSON.parse(instructionsOf(runtime, 'CMD')[0].args) as string[];
    const main = (JSON.parse(readRepoFile('package.json')) as { main: string }).main;
    assert.equal(cmd[0], 'node', 'exec form, node directly (signals reach the process)');
    assert.equal(cmd[cmd.length - 1], main);
  });

  it('should copy every folder the app reads at run time into the runtime stage', () => {
    const runtime = finalStage(loadDockerfile());
    // From the context by source name, or generated in the build stage (the trained model) by destination.
    const copied = instructionsOf(runtime, 'COPY')
      .map(parseCopy)
      .flatMap((c) => (c.from === 'build' ? [c.destination.replace(/^\.\//, '').replace(/\/$/, '')] : c.from ? [] : c.sources));
    const folders = runtimeFolders();
    assert.ok(folders.includes('data'), `found: ${folders.join(', ')}`);
    assert.deepEqual(
      folders.filter((f) => !copied.includes(f)),
      [],
    );
  });

  it('should keep secrets and local artefacts out of the build context, and nothing the Dockerfile copies', () => {
    const patterns = readRepoFile('.dockerignore').split('\n');
    for (const excluded of ['.env', '.env.local', 'node_modules', 'dist', '.git', 'test/unit/x.test.ts']) {
      assert.ok(isDockerIgnored(patterns, excluded), `${excluded} is ignored`);
    }
    const sources = loadDockerfile().stages.flatMap((s) =>
      instructionsOf(s, 'COPY')
        .map(parseCopy)
        .filter((c) => !c.from)
        .flatMap((c) => c.sources),
    );
    assert.deepEqual(
      sources.filter((s) => isDockerIgnored(patterns, s)),
      [],
    );
    assert.ok(!isDockerIgnored(['*.log', 'dist/', '!dist/keep'], 'dist/keep'), 'negation re-includes');
  });

  it('should never bake a secret into the image', () => {
    const file = loadDockerfile();
    const env = file.stages.flatMap((s) => [...envOf(s).keys()]);
    assert.deepEqual(
      env.filter((k) => /SECRET|PASSWORD|TOKEN|_KEY$|MONGODB_URI/.test(k)),
      [],
    );
    assert.deepEqual(
      file.stages.flatMap((s) => instructionsOf(s, 'ADD')),
      [],
      'COPY, never ADD (no remote URLs or archives)',
    );
  });

  describe('HEALTHCHECK', () => {
    let app: BotApp;
    let port: number;

    before(async () => {
      ({ app, port } = await startTestApp({ LOG_LEVEL: 'silent' }));
    });
    after(async () => {
      await app.close();
    });

    it('should probe /healthz with node, with a timeout shorter than the check interval', () => {
      const { options, command } = healthcheckCommand(instructionsOf(finalStage(loadDockerfile()), 'HEALTHCHECK')[0]);
      assert.match(command.join(' '), /\/healthz/);
      assert.ok(parseInt(options.timeout, 10) < parseInt(options.interval, 10));
      assert.ok(options['start-period'], 'a start period covers recognizer training');
    });

    it('should report healthy against the real bot server', async () => {
      assert.equal(await runHealthcheck(port), 0);
    });

    it('should report unhealthy when /healthz answers 503 or nothing listens', async () => {
      const failing = http.createServer((_req, res) => {
        res.statusCode = 503;
        res.end();
      });
      await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
      const failingPort = (failing.address() as AddressInfo).port;
      try {
        assert.equal(await runHealthcheck(failingPort), 1);
      } finally {
        await new Promise((resolve) => failing.close(resolve));
      }
      assert.equal(await runHealthcheck(failingPort), 1, 'closed port');
    });
  });
});
