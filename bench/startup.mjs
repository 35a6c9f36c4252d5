// Cold start and idle memory of built bots, side by side (npm run bench:startup):
//
//   node bench/startup.mjs [--rounds 5] [--target label=/path/to/node:/path/to/checkout ...]
//
// Each target is a Node.js binary and a checkout with `dist/src/index.js` built. Rounds alternate
// between targets, so a busy machine slows all of them alike. For each start: milliseconds from
// spawn to the first 200 from /readyz, and the resident set size (VmRSS) after 3 s idle. Prints
// the medians and each target's ratio to the first one. With no --target it compares the Node.js
// running this script on this checkout with itself (a smoke run of the measurement).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../scripts/lib/freePort.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 5) || 5;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--target') continue;
  const [label, spec] = args[i + 1].split('=');
  const [node, dir] = spec.split(':');
  targets.push({ label, node, dir });
}
if (targets.length === 0) targets.push({ label: `node ${process.version}`, node: process.execPath, dir: root });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startOnce(target) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(target.node, ['dist/src/index.js'], {
    cwd: target.dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'error' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error(`${target.label}: /readyz never answered`);
      if (child.exitCode !== null) throw new Error(`${target.label}: exited with ${child.exitCode}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await sleep(20);
    }
    const readyMs = performance.now() - started;
    await sleep(3000);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return { readyMs, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(targets.map((t) => [t.label, { ready: [], rss: [] }]));
// One uncounted start each: trains and caches the NLU model where no cache exists yet.
for (const target of targets) await startOnce(target);
for (let round = 0; round < rounds; round++) {
  for (const target of targets) {
    const { readyMs, rssMb } = await startOnce(target);
    results.get(target.label).ready.push(readyMs);
    results.get(target.label).rss.push(rssMb);
  }
}
const base = results.get(targets[0].label);
console.log(`${rounds} alternating rounds; medians`);
console.log('| target | cold start to /readyz ms | idle RSS MB | start ratio | RSS ratio |');
console.log('|---|---|---|---|---|');
for (const target of targets) {
  const r = results.get(target.label);
  console.log(
    `| ${target.label} | ${median(r.ready).toFixed(0)} | ${median(r.rss).toFixed(0)} | ${(median(r.ready) / median(base.ready)).toFixed(2)} | ${(median(r.rss) / median(base.rss)).toFixed(2)} |`,
  );
}
