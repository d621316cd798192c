import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { PortcullisError } from '../shared/errors.ts';
import { projectPath } from '../shared/paths.ts';
import { envBindings, envNameFor } from './env.ts';
import { type Config, configSchema } from './schema.ts';

const configDir = projectPath('config');

type Tree = Record<string, unknown>;

/** The configuration cannot be used; the message names every bad key and its variable. */
export class ConfigError extends PortcullisError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      'invalid_configuration',
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      500,
    );
    this.problems = problems;
  }
}

/**
 * Reads config/default.json, then config/<env>.json, then the environment, and validates the
 * result once. Every bad key is reported in one error, never just the first.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Tree = {}): Config {
  const fromEnvironment = fromEnv(env);
  const envName =
    typeof fromEnvironment.env === 'string' ? fromEnvironment.env.trim() : 'development';
  const merged = merge(
    merge(merge(readJson('default.json'), readJson(`${envName}.json`)), fromEnvironment),
    overrides,
  );
  merged.env ??= envName;
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  return result.data;
}

/** One line of a ConfigError: the key, the variable that sets it, what is wrong. */
export function configProblem(path: readonly PropertyKey[], message: string): string {
  const key = path.join('.') || '(root)';
  const envName = envNameFor(path);
  return `${key}${envName ? ` (${envName})` : ''}: ${message}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return configProblem(issue.path, issue.message);
}

function readJson(name: string): Tree {
  if (!/^[a-z]+\.json$/.test(name)) return {};
  const file = join(configDir, name);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Tree;
}

function fromEnv(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const binding of envBindings) {
    const raw = env[binding.name];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(tree, binding.path, binding.read(raw));
  }
  return tree;
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    tree[head] = value;
    return;
  }
  if (!isTree(tree[head])) tree[head] = {};
  setPath(tree[head] as Tree, rest, value);
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? merge(current, value) : value;
  }
  return out;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
