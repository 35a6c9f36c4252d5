import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { readRepoFile, REPO_ROOT } from './appSettings';
import type { ArmTemplate } from './armTemplate';

/** A Kubernetes object as parsed from YAML (only the fields the tests read are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
  /** The file it came from, for messages. */
  file: string;
}

export const K8S_DIR = 'k8s';
export const TEMPLATES_DIR = 'deploymentTemplates';

/** Parses YAML, failing with the file name and the parser's own message. */
export function parseYamlFile(relative: string): unknown[] {
  const docs = parseAllDocuments(readRepoFile(relative), { prettyErrors: true });
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

/** Every Kubernetes object in k8s/*.yaml except kustomization.yaml. */
export function loadK8sObjects(): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const name of readdirSync(path.join(REPO_ROOT, K8S_DIR))
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort()) {
    for (const doc of parseYamlFile(`${K8S_DIR}/${name}`)) {
      if (doc) objects.push({ ...(doc as Omit<K8sObject, 'file'>), file: name });
    }
  }
  return objects;
}

/** The single object of a kind (and optionally a file); throws when there is not exactly one. */
export function onlyOne(objects: K8sObject[], kind: string, file?: string): K8sObject {
  const matches = objects.filter((o) => o.kind === kind && (file === undefined || o.file === file));
  if (matches.length !== 1) throw new Error(`expected exactly one ${kind}${file ? ` in ${file}` : ''}, found ${matches.length}`);
  return matches[0];
}

export interface Kustomization {
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

export function loadKustomization(): Kustomization {
  return parse(readRepoFile(`${K8S_DIR}/kustomization.yaml`)) as Kustomization;
}

/** The docker-compose file's services (only the fields the tests read are typed). */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: Array<string | { path: string; required?: boolean }> | string;
  ports?: Array<string | number>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; interval?: string };
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  read_only?: boolean;
  user?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml')) as ComposeFile;
}

/** A compose `environment` as a map, whichever of its two shapes the file uses. */
export function composeEnvironment(service: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment) {
      const [key, ...value] = entry.split('=');
      env.set(key, value.join('='));
    }
  } else {
    for (const [key, value] of Object.entries(service.environment ?? {})) env.set(key, value === null ? '' : String(value));
  }
  return env;
}

/** The ARM templates: `<folder>/main.json` for each template folder. */
export function templateFolders(): string[] {
  return readdirSync(path.join(REPO_ROOT, TEMPLATES_DIR), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'scripts')
    .map((d) => d.name)
    .sort();
}

export function loadArmTemplate(folder: string, file = 'main.json'): ArmTemplate {
  return JSON.parse(readRepoFile(`${TEMPLATES_DIR}/${folder}/${file}`)) as ArmTemplate;
}

/** Parameter files (`*.parameters.json`) of a template folder. */
export function parameterFiles(folder: string): string[] {
  return readdirSync(path.join(REPO_ROOT, TEMPLATES_DIR, folder))
    .filter((f) => f.endsWith('.parameters.json'))
    .sort();
}
