// .github/workflows/ci.yml cannot run here; this keeps it parseable and wired to the same .ci/run and services.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  services?: Record<string, { image: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
}

function workflow(): { jobs: Record<string, Job> } {
  const document = parseDocument(fs.readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8'));
  expect(document.errors.map((e) => e.message)).toEqual([]);
  return document.toJS();
}

describe('GitHub Actions workflow', () => {
  it('runs .ci/run against PostgreSQL 16, Redis 7 and RabbitMQ 3.13 service containers', () => {
    const { test } = workflow().jobs;
    expect(test?.services?.postgres?.image).toBe('postgres:16');
    expect(test?.services?.redis?.image).toBe('redis:7');
    expect(test?.services?.rabbitmq?.image).toMatch(/^rabbitmq:3\.13/);
    expect(test?.env).toMatchObject({
      CI_DATABASE_URL: expect.stringContaining(':5432/'),
      CI_REDIS_URL: expect.stringContaining(':6379'),
      CI_AMQP_URL: expect.stringContaining(':5672'),
    });
    expect(test?.steps.some((s) => s.run?.includes('.ci/run'))).toBe(true);
    // the variables it sets are the ones .ci/run reads
    const ciRun = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    for (const name of Object.keys(test?.env ?? {})) expect(ciRun).toContain(name);
  });

  it('builds the Docker image without pushing and validates the compose file', () => {
    const { docker } = workflow().jobs;
    const build = docker?.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(build?.with?.push).toBe(false);
    const compose = docker?.steps.find((s) => s.run?.includes('docker compose config'));
    expect(compose?.env?.SECRET_KEY?.length).toBeGreaterThanOrEqual(32);
  });
});
