/**
 * Offline check of the CI/CD definitions (.github/workflows/ci.yml, azure-pipelines.yml):
 * `npm run ci:dry-run` analyses them; `npm run ci:dry-run -- --execute` also runs, here, every
 * step that needs neither the cloud nor a container engine, in the workflow's order.
 *
 * What it checks: every `npm run` script a step calls exists; files the steps name exist; the
 * Node.js versions of the test matrix satisfy package.json "engines"; the Bicep outputs the
 * deployment reads are declared; the Dockerfile takes the build argument passed to it; the Azure
 * Pipelines file has the structure Azure DevOps expects (no JSON schema of it ships in any
 * package); and it sorts every step into: runs here, needs a container engine, needs Azure, or
 * is a hosted runner's set-up action.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export type StepKind = 'local' | 'container' | 'cloud' | 'runner-setup';

export interface StepInfo {
  file: string;
  job: string;
  name: string;
  kind: StepKind;
  /** Shell text of `run:` / `script:` steps. */
  command?: string;
  /** `uses:` action or `task:` name. */
  action?: string;
}

export interface DryRunReport {
  steps: StepInfo[];
  problems: string[];
  /** `npm run` scripts the steps call that package.json lacks (problems unless pending). */
  missingScripts: string[];
}

/** Scripts another change adds (the lead's `npm run lint`); reported, not failed. */
export const PENDING_SCRIPTS = ['lint'];

// The staging smoke test needs the deployed slot; the container smoke test the started container.
const CLOUD = /\baz\s|azure\/login|AzureCLI@|\$ACR|acr login|docker push|steps\.slot\.outputs|stagingUrl/;
const CONTAINER = /\bdocker\s|docker\/|trivy|--url http:\/\/127\.0\.0\.1:3978/i;
const RUNNER_SETUP = /^(actions\/(checkout|setup-node|setup-java|upload-artifact|download-artifact)|NodeTool@|JavaToolInstaller@)/;

function classify(text: string, action?: string): StepKind {
  if (CLOUD.test(text)) return 'cloud';
  if (action && RUNNER_SETUP.test(action)) return 'runner-setup';
  if (CONTAINER.test(text)) return 'container';
  return 'local';
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function githubSteps(file: string, doc: Obj, problems: string[]): StepInfo[] {
  const steps: StepInfo[] = [];
  const jobs = asObj(doc.jobs);
  for (const [job, raw] of Object.entries(jobs)) {
    const spec = asObj(raw);
    for (const need of asArr(spec.needs)) if (!(String(need) in jobs)) problems.push(`${file}: job ${job} needs unknown job ${String(need)}`);
    for (const [i, s] of asArr(spec.steps).entries()) {
      const step = asObj(s);
      const action = typeof step.uses === 'string' ? step.uses : undefined;
      const command = typeof step.run === 'string' ? step.run : undefined;
      if ((action === undefined) === (command === undefined)) problems.push(`${file}: ${job} step ${i + 1} needs exactly one of uses/run`);
      const name = String(step.name ?? command ?? action ?? `step ${i + 1}`).split('\n')[0] as string;
      steps.push({
        file,
        job,
        name,
        kind: classify(`${action ?? ''} ${command ?? ''} ${JSON.stringify(step.with ?? {})}`, action),
        ...(command ? { command } : {}),
        ...(action ? { action } : {}),
      });
    }
  }
  return steps;
}

const AZP_STEP_KEYS = ['script', 'bash', 'task', 'publish', 'download', 'checkout'];

function azureSteps(file: string, doc: Obj, problems: string[]): StepInfo[] {
  const steps: StepInfo[] = [];
  const stages = asArr(doc.stages).map(asObj);
  if (stages.length === 0) problems.push(`${file}: no stages`);
  const names = new Set(stages.map((s) => String(s.stage)));
  for (const stage of stages) {
    if (typeof stage.stage !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(stage.stage))
      problems.push(`${file}: stage name ${String(stage.stage)} must be an identifier`);
    const depends = stage.dependsOn === undefined ? [] : Array.isArray(stage.dependsOn) ? stage.dependsOn : [stage.dependsOn];
    for (const d of depends) if (!names.has(String(d))) problems.push(`${file}: stage ${String(stage.stage)} depends on unknown stage ${String(d)}`);
    const jobs = asArr(stage.jobs).map(asObj);
    if (jobs.length === 0) problems.push(`${file}: stage ${String(stage.stage)} has no jobs`);
    for (const job of jobs) {
      const jobName = String(job.job ?? job.deployment);
      if (job.job === undefined && job.deployment === undefined) problems.push(`${file}: a job in ${String(stage.stage)} has neither job nor deployment`);
      if (job.deployment !== undefined && job.environment === undefined) problems.push(`${file}: deployment job ${jobName} needs an environment`);
      const jobSteps = job.deployment !== undefined ? asArr(asObj(asObj(asObj(job.strategy).runOnce).deploy).steps) : asArr(job.steps);
      if (jobSteps.length === 0) problems.push(`${file}: job ${jobName} has no steps`);
      for (const [i, s] of jobSteps.entries()) {
        const step = asObj(s);
        const keys = AZP_STEP_KEYS.filter((k) => k in step);
        if (keys.length !== 1)
          problems.push(`${file}: ${jobName} step ${i + 1} needs exactly one of ${AZP_STEP_KEYS.join('/')}, has ${keys.join(',') || 'none'}`);
        if (typeof step.task === 'string' && !/^[A-Za-z][A-Za-z0-9]*@\d+$/.test(step.task))
          problems.push(`${file}: task "${step.task}" must be Name@majorVersion`);
        const inputs = asObj(step.inputs);
        const command = typeof step.script === 'string' ? step.script : typeof inputs.inlineScript === 'string' ? inputs.inlineScript : undefined;
        const action = typeof step.task === 'string' ? step.task : undefined;
        const name = String(step.displayName ?? command ?? action ?? keys[0]).split('\n')[0] as string;
        const kind = action || command ? classify(`${action ?? ''} ${command ?? ''}`, action) : 'runner-setup';
        steps.push({ file, job: `${String(stage.stage)}/${jobName}`, name, kind, ...(command ? { command } : {}), ...(action ? { action } : {}) });
      }
    }
  }
  return steps;
}

/** Analyses both definitions in `root`. */
export function analyse(root: string): DryRunReport {
  const problems: string[] = [];
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; engines?: { node?: string } };
  const github = parse(readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8')) as Obj;
  const azure = parse(readFileSync(path.join(root, 'azure-pipelines.yml'), 'utf8')) as Obj;
  const steps = [...githubSteps('.github/workflows/ci.yml', github, problems), ...azureSteps('azure-pipelines.yml', azure, problems)];

  const missing = new Set<string>();
  for (const step of steps) {
    for (const match of (step.command ?? '').matchAll(/npm run(?: -s)? ([\w:.-]+)/g))
      if (!((match[1] as string) in pkg.scripts)) missing.add(match[1] as string);
    for (const match of (step.command ?? '').matchAll(/(deploymentTemplates\/[\w./-]+\.(?:bicep|json))/g)) {
      if (!existsSync(path.join(root, match[1] as string))) problems.push(`${step.file}: ${step.job}: file ${match[1]} does not exist`);
    }
  }
  for (const script of missing) if (!PENDING_SCRIPTS.includes(script)) problems.push(`npm run ${script}: no such script in package.json`);

  // Node versions of the test matrix against "engines" (^22.x || ^24.x form).
  const engines = pkg.engines?.node ?? '';
  const majors = [...engines.matchAll(/\^(\d+)/g)].map((m) => m[1]);
  const matrix = asArr(asObj(asObj(asObj(asObj(github.jobs).test).strategy).matrix).node).map(String);
  if (matrix.length === 0) problems.push('ci.yml: the test job has no Node.js matrix');
  for (const node of matrix) if (!majors.includes(node)) problems.push(`ci.yml: Node.js ${node} is not in package.json engines (${engines})`);
  for (const node of ['22', '24']) if (!matrix.includes(node)) problems.push(`ci.yml: the test matrix lacks Node.js ${node}`);

  const bicep = readFileSync(path.join(root, 'deploymentTemplates/existing-resource-group/main.bicep'), 'utf8');
  for (const output of new Set(
    [...readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8').matchAll(/(?:outputs|out) (\w+)\)/g)].map((m) => m[1] as string),
  )) {
    if (!new RegExp(`^output ${output}\\b`, 'm').test(bicep)) problems.push(`ci.yml reads Bicep output ${output}, which main.bicep does not declare`);
  }
  if (!/^ARG NODE_VERSION/m.test(readFileSync(path.join(root, 'Dockerfile'), 'utf8')))
    problems.push('Dockerfile: no ARG NODE_VERSION for the build argument the pipelines pass');
  return { steps, problems, missingScripts: [...missing] };
}

function main(): number {
  const root = path.resolve(__dirname, '..');
  const execute = process.argv.includes('--execute');
  const report = analyse(root);
  const counts: Record<StepKind, number> = { local: 0, container: 0, cloud: 0, 'runner-setup': 0 };
  for (const step of report.steps) counts[step.kind] += 1;
  console.log(
    `steps: ${report.steps.length} (runs here: ${counts.local}, needs a container engine: ${counts.container}, needs Azure: ${counts.cloud}, runner set-up: ${counts['runner-setup']})`,
  );
  for (const step of report.steps) console.log(`  [${step.kind.padEnd(12)}] ${step.file} ${step.job}: ${step.name}`);
  for (const script of report.missingScripts) console.log(`pending: npm run ${script} is called by the pipelines and added by another change`);
  for (const problem of report.problems) console.log(`PROBLEM: ${problem}`);
  let failed = report.problems.length > 0;
  if (execute) {
    // The GitHub workflow's local steps, in order, once (the Azure Pipelines ones are the same commands).
    const seen = new Set<string>();
    for (const step of report.steps.filter((s) => s.kind === 'local' && s.command && s.file.startsWith('.github'))) {
      const command = step.command as string;
      if (seen.has(command)) continue;
      seen.add(command);
      if (report.missingScripts.some((m) => command.includes(`npm run ${m}`))) {
        console.log(`skip  ${command} (script not in this branch yet)`);
        continue;
      }
      const started = Date.now();
      const result = spawnSync('bash', ['-c', command], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, CI: 'true', CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${result.status === 0 ? 'ok  ' : 'FAIL'}  ${command.split('\n')[0]} (${seconds} s)`);
      if (result.status !== 0) failed = true;
    }
  }
  try {
    console.log(`actionlint: ${execFileSync('actionlint', ['-version'], { encoding: 'utf8' }).split('\n')[0]} (run it: actionlint .github/workflows/ci.yml)`);
  } catch {
    console.log('actionlint: not installed (go install github.com/rhysd/actionlint/cmd/actionlint@latest)');
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exit(main());
