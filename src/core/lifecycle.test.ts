// The shared process lifecycle: shutdown steps run in order on the first signal, a failing step still lets
// the rest run and turns the exit code to 1, a second signal is ignored, and start-up failures exit 1 or 2.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, type ProcessLike, runMain, stopOnSignals } from './lifecycle.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let exited: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const proc: ProcessLike & { emit(signal: string): void } = {
    once: (signal, listener) => emitter.once(signal, listener),
    exit: (code: number) => {
      exits.push(code);
      exited(code);
      return undefined;
    },
    emit: (signal) => emitter.emit(signal),
  };
  return { proc, exits, done };
}

const log = { info: vi.fn(), error: vi.fn() };

describe('stopOnSignals', () => {
  it('runs the steps in order on SIGTERM and exits 0; a second signal is ignored', async () => {
    const { proc, exits, done } = fakeProcess();
    const order: string[] = [];
    stopOnSignals(
      log,
      [
        { name: 'a', run: async () => void order.push('a') },
        { name: 'b', run: () => void order.push('b') },
      ],
      { process: proc },
    );
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    expect(await done).toBe(EXIT_OK);
    expect(order).toEqual(['a', 'b']);
    expect(exits).toEqual([EXIT_OK]);
  });

  it('runs the later steps when one fails, then exits 1', async () => {
    const { proc, done } = fakeProcess();
    const ran: string[] = [];
    stopOnSignals(
      log,
      [
        { name: 'broken', run: () => Promise.reject(new Error('pool already closed')) },
        { name: 'last', run: () => void ran.push('last') },
      ],
      { process: proc },
    );
    proc.emit('SIGINT');
    expect(await done).toBe(EXIT_FAILURE);
    expect(ran).toEqual(['last']);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ step: 'broken' }), 'shutdown step failed');
  });

  it('exits 1 when shutdown passes its deadline', async () => {
    const { proc, done } = fakeProcess();
    stopOnSignals(log, [{ name: 'stuck', run: () => new Promise(() => {}) }], { process: proc, deadlineMs: 20 });
    proc.emit('SIGTERM');
    expect(await done).toBe(EXIT_FAILURE);
  });
});

describe('runMain', () => {
  it('exits 2 on a configuration error and 1 on any other start-up failure', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const config = fakeProcess();
    runMain(() => Promise.reject(new ConfigError('DATABASE_URL is not a URL')), config.proc);
    expect(await config.done).toBe(EXIT_CONFIG);
    const other = fakeProcess();
    runMain(() => Promise.reject(new Error('boom')), other.proc);
    expect(await other.done).toBe(EXIT_FAILURE);
    expect(quiet).toHaveBeenCalledWith('DATABASE_URL is not a URL');
    quiet.mockRestore();
  });
});
