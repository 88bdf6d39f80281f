import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';

// The deployment files ship as examples operators apply as they are: the config inside them
// must load, and the settings that keep a rollout safe must agree with it.
const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface K8sObject {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

const manifests = parseAllDocuments(read('deploy/kubernetes/bastion.yaml')).map(
  (doc) => doc.toJSON() as K8sObject,
);
const byKind = (kind: string) => {
  const found = manifests.find((m) => m.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} in the manifests`);
  return found;
};

describe('Kubernetes manifests', () => {
  const configYaml = byKind('ConfigMap').data?.['bastion.yaml'] ?? '';
  const pod = (byKind('Deployment').spec as { template: { spec: Record<string, unknown> } })
    .template.spec as {
    terminationGracePeriodSeconds: number;
    securityContext: Record<string, unknown>;
    containers: {
      ports: { name: string; containerPort: number }[];
      readinessProbe: { httpGet: { path: string; port: string } };
      livenessProbe: { httpGet: { path: string; port: string } };
      securityContext: Record<string, unknown>;
    }[];
  };
  const container = pod.containers[0];

  it('carry a config that loads, with every secret as a file reference', () => {
    const loaded = loadConfig({ env: {}, overrides: parse(configYaml) as Record<string, unknown> });
    expect(loaded.config.stores.kind).toBe('postgres');
    expect(configYaml).not.toMatch(/apiKey: (?!file:)/);
  });

  it('probe the control plane and give shutdown more time than the grace period', () => {
    const { config } = loadConfig({
      env: {},
      overrides: parse(configYaml) as Record<string, unknown>,
    });
    const control = container?.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
    expect(control?.containerPort).toBe(config.controlPlane.port);
    expect(config.controlPlane.host).toBe('0.0.0.0');
    expect(container?.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container?.livenessProbe.httpGet.path).toBe('/healthz');
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      config.server.shutdownGraceMs + 5_000,
    );
  });

  it('run as non-root on a read-only root filesystem with no capabilities', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(byKind('PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
  });
});

describe('systemd unit', () => {
  it('passes systemd-analyze verify', () => {
    const run = spawnSync('systemd-analyze', ['verify', 'deploy/systemd/bastion.service'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  const stages = read('Dockerfile').split(/^FROM /m);
  const runtime = stages.at(-1) ?? '';

  it('runs the last stage as a non-root user with a health check on /healthz', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    // Only build output and production dependencies reach the runtime image.
    expect(runtime).not.toMatch(/^COPY \. /m);
  });
});
