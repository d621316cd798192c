import { describe, expect, it } from 'vitest';
import { exitStatusOf } from '../../src/cli/exit-status.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { ConfigError } from '../../src/config/load.ts';
import { DependencyUnavailableError, DomainError } from '../../src/shared/errors.ts';
import { MigrationError } from '../../src/storage/migrate.ts';

describe('how an error ends a command', () => {
  it('exits 2 with the usage the error carries (the help of what was typed)', () => {
    const usage = 'Usage: portcullis users create --email <email> [options]';
    expect(exitStatusOf(new UsageError('users create needs --email', usage))).toEqual({
      code: 2,
      stderr: `portcullis: users create needs --email\n\n${usage}\n`,
    });
  });

  it('exits 1 with the message of an error of ours, whatever its kind', () => {
    const ours = [
      new DomainError('client_not_found', 'no client with id x', 404),
      new ConfigError(['port (PORT): expected number']),
      new MigrationError('2024-01-01-init', new Error('relation exists')),
      new DependencyUnavailableError('postgres', new Error('ECONNREFUSED')),
    ];
    for (const error of ours) {
      expect(exitStatusOf(error)).toEqual({ code: 1, stderr: `portcullis: ${error.message}\n` });
    }
    expect(exitStatusOf(ours[1]).stderr).toContain('port (PORT)');
  });

  it('exits 1 with "failed:" and the message only for anything else, never a stack', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(exitStatusOf(bug)).toEqual({
      code: 1,
      stderr: "portcullis: failed: Cannot read properties of undefined (reading 'id')\n",
    });
    expect(exitStatusOf('a string')).toEqual({ code: 1, stderr: 'portcullis: failed: a string\n' });
    expect(exitStatusOf(undefined).stderr).toBe('portcullis: failed: undefined\n');
  });
});
