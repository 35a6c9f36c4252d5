import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BotApp } from '../../src/app';
import { keysInEnvExample, REPO_ROOT } from './support/appSettings';
import { type K8sObject, K8S_DIR, loadK8sObjects, loadKustomization, onlyOne } from './support/manifests';
import { startTestApp } from '../support/testApp';

interface Probe {
  httpGet: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}

interface Container {
  name: string;
  image: string;
  ports: Array<{ name?: string; containerPort: number }>;
  envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  volumes?: Array<{ name: string }>;
}

function deployment(): K8sObject {
  return onlyOne(loadK8sObjects(), 'Deployment');
}

function podSpec(): PodSpec {
  return (deployment().spec as { template: { spec: PodSpec } }).template.spec;
}

function botContainer(): Container {
  const containers = podSpec().containers;
  assert.equal(containers.length, 1);
  return containers[0];
}

function selectorOf(o: K8sObject): Record<string, string> {
  return (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
}

/** Resolves a probe port (name or number) to the container port number. */
function probePort(c: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : c.ports.find((p) => p.name === port)?.containerPort;
}

describe('deployment: Kubernetes manifests (k8s/)', () => {
  it('should parse every manifest into objects with apiVersion, kind and metadata.name', () => {
    const objects = loadK8sObjects();
    assert.deepEqual(
      objects.filter((o) => !o.apiVersion || !o.kind || !o.metadata?.name).map((o) => o.file),
      [],
    );
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service']);
  });

  it('should list every manifest in kustomization.yaml except the secret template', () => {
    const files = readdirSync(path.join(REPO_ROOT, K8S_DIR)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    const listed = loadKustomization().resources ?? [];
    assert.deepEqual(
      files.filter((f) => !listed.includes(f)),
      ['secret.example.yaml'],
    );
    assert.deepEqual(
      listed.filter((f) => !files.includes(f)),
      [],
      'listed files exist',
    );
  });

  it('should run at least two replicas whose pod labels match the selector', () => {
    const d = deployment();
    const spec = d.spec as { replicas: number; template: { metadata: { labels: Record<string, string> } } };
    assert.ok(spec.replicas >= 2);
    for (const [k, v] of Object.entries(selectorOf(d))) assert.equal(spec.template.metadata.labels[k], v, `pod label ${k}`);
  });

  it('should probe startup and liveness on /healthz and readiness on /readyz, on the container port', () => {
    const c = botContainer();
    assert.equal(c.startupProbe?.httpGet.path, '/healthz');
    assert.equal(c.livenessProbe?.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe?.httpGet.path, '/readyz');
    const port = Number(keysInEnvExample().get('PORT')?.value);
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      assert.equal(probePort(c, probe?.httpGet.port ?? ''), port);
    }
    const configMapPort = onlyOne(loadK8sObjects(), 'ConfigMap').data?.PORT;
    assert.equal(Number(configMapPort), port, 'the ConfigMap PORT is the container port');
    const startupBudget = (c.startupProbe?.periodSeconds ?? 10) * (c.startupProbe?.failureThreshold ?? 3);
    assert.ok(startupBudget >= 60, `startup may take ${startupBudget} s (recognizer training on a throttled CPU)`);
  });

  it('should set resource requests and limits for CPU and memory', () => {
    const { resources } = botContainer();
    for (const kind of ['requests', 'limits'] as const) {
      assert.ok(resources?.[kind]?.cpu, `${kind}.cpu`);
      assert.ok(resources?.[kind]?.memory, `${kind}.memory`);
    }
  });

  it('should run as non-root with a read-only root filesystem and no privilege escalation, /tmp writable', () => {
    const pod = podSpec();
    const c = botContainer();
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.ok((pod.securityContext?.runAsUser ?? 0) > 0);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    assert.ok(tmp && pod.volumes?.some((v) => v.name === tmp.name), '/tmp is a mounted volume');
  });

  it('should take its environment from the ConfigMap and the Secret defined here', () => {
    const objects = loadK8sObjects();
    const refs = botContainer().envFrom;
    assert.deepEqual(refs.map((r) => r.configMapRef?.name).filter(Boolean), [onlyOne(objects, 'ConfigMap').metadata.name]);
    assert.deepEqual(refs.map((r) => r.secretRef?.name).filter(Boolean), [onlyOne(objects, 'Secret').metadata.name]);
  });

  it('should give pods time to finish: grace period >= preStop sleep + SHUTDOWN_TIMEOUT_MS', () => {
    const c = botContainer();
    const command = c.lifecycle?.preStop?.exec?.command ?? [];
    const preStopSeconds = command[0] === 'sleep' ? Number(command[1]) : 0;
    const shutdownMs = Number(
      onlyOne(loadK8sObjects(), 'ConfigMap').data?.SHUTDOWN_TIMEOUT_MS || keysInEnvExample().get('SHUTDOWN_TIMEOUT_MS')?.value || 10_000,
    );
    const grace = podSpec().terminationGracePeriodSeconds ?? 30;
    assert.ok(grace >= preStopSeconds + shutdownMs / 1000, `grace ${grace} s < preStop ${preStopSeconds} s + shutdown ${shutdownMs / 1000} s`);
  });

  it('should expose the pods through a Service on the named container port', () => {
    const service = onlyOne(loadK8sObjects(), 'Service');
    const spec = service.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> };
    assert.deepEqual(spec.selector, selectorOf(deployment()));
    assert.equal(probePort(botContainer(), spec.ports[0].targetPort), Number(keysInEnvExample().get('PORT')?.value));
  });

  it('should autoscale the Deployment on CPU, never below two replicas', () => {
    const hpa = onlyOne(loadK8sObjects(), 'HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    const spec = hpa.spec as {
      scaleTargetRef: { apiVersion: string; kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: Array<{ resource?: { name: string } }>;
    };
    assert.deepEqual(spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment().metadata.name });
    assert.ok(spec.minReplicas >= 2 && spec.maxReplicas > spec.minReplicas);
    assert.ok(spec.metrics.some((m) => m.resource?.name === 'cpu'));
    assert.ok(botContainer().resources?.requests?.cpu, 'CPU utilisation needs a CPU request');
  });

  it('should keep one pod through voluntary disruptions with a PodDisruptionBudget matching the pods', () => {
    const pdb = onlyOne(loadK8sObjects(), 'PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal((pdb.spec as { minAvailable: number }).minAvailable, 1);
    assert.deepEqual(selectorOf(pdb), selectorOf(deployment()));
    const minReplicas = (onlyOne(loadK8sObjects(), 'HorizontalPodAutoscaler').spec as { minReplicas: number }).minReplicas;
    assert.ok(minReplicas > 1, 'minAvailable 1 leaves room to drain a node');
  });

  it('should name the image the kustomization replaces', () => {
    const images = loadKustomization().images ?? [];
    assert.deepEqual(
      images.map((i) => i.name),
      [botContainer().image],
    );
  });

  describe('probe paths on the real server', () => {
    let app: BotApp;
    let url: string;

    before(async () => {
      ({ app, url } = await startTestApp({ LOG_LEVEL: 'silent' }));
    });
    after(async () => {
      await app.close();
    });

    it('should answer 200 on every probe path the manifests and templates use', async () => {
      const c = botContainer();
      const paths = new Set([c.startupProbe?.httpGet.path, c.livenessProbe?.httpGet.path, c.readinessProbe?.httpGet.path, '/healthz']);
      for (const p of paths) {
        const response = await fetch(`${url}${p}`);
        assert.equal(response.status, 200, `${p}`);
      }
    });
  });
});
