import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { defineJob, enqueueJob, type JobHandler } from '../../src/core/jobs.js';
import type { App } from '../../src/core/module.js';
import { createTestApp } from '../setup/test-app.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let app: App;
beforeAll(async () => {
  const logger = createLogger(loadConfig({ LOG_LEVEL: 'info' }), sink);
  app = await createTestApp({
    logger,
    beforeReady: (a) => {
      a.get('/test/log/', async () => {
        a.ctx.log.info({ marker: 'service-line' }, 'logged by a service through the shared logger');
        return { ok: true };
      });
    },
  });
  (app.ctx.jobs.handlers as Map<string, JobHandler>).set('test.log', async () => {
    app.ctx.log.info({ marker: 'job-line' }, 'logged by a job');
  });
});
afterAll(async () => {
  await app.close();
});

describe('structured logs', () => {
  it('puts the request id on lines a service writes through the shared logger', async () => {
    await app.inject({ method: 'GET', url: '/test/log/', headers: { 'x-request-id': 'req-log-1' } });
    const line = lines.find((l) => l.marker === 'service-line');
    expect(line?.request_id).toBe('req-log-1');
  });

  it('puts the job id and type on lines a job handler writes', async () => {
    const id = await enqueueJob(app.ctx.db, defineJob('test.log'), {});
    await app.ctx.jobs.runDue();
    const line = lines.find((l) => l.marker === 'job-line');
    expect(line).toMatchObject({ job_id: id, job_type: 'test.log' });
  });
});
