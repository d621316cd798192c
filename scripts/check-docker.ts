// `node scripts/check-docker.ts`: checks docker-compose.yml and the Dockerfile by reading them,
// for a machine without a Docker engine (CI's): the YAML parses, every reference resolves
// (services in depends_on, named volumes, env files, build contexts, the Dockerfile's COPY
// sources, not hidden by .dockerignore), one image is built once, and every service keeps the
// hardening README promises. Prints each problem and exits 1 if there is any.
import { existsSync, readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export interface DockerFiles {
  compose: string;
  dockerfile: string;
  dockerignore: string;
  /** Whether a path relative to the project root exists. */
  exists: (path: string) => boolean;
}

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem found, as lines for a person; none when the files are right. */
export function dockerProblems(files: DockerFiles): string[] {
  const document = parseDocument(files.compose, { merge: true });
  if (document.errors.length > 0) {
    return document.errors.map((error) => `docker-compose.yml: ${error.message}`);
  }
  const compose = document.toJS() as unknown;
  const services = isTree(compose) && isTree(compose.services) ? compose.services : undefined;
  if (!services || Object.keys(services).length === 0) {
    return ['docker-compose.yml: no services'];
  }
  const volumes = isTree(compose) && isTree(compose.volumes) ? Object.keys(compose.volumes) : [];
  return [
    ...Object.entries(services).flatMap(([name, service]) =>
      serviceProblems(name, service, { services, volumes, exists: files.exists }),
    ),
    ...unusedVolumes(services, volumes),
    ...buildProblems(services),
    ...pinProblems(services, files.dockerfile),
    ...dockerfileProblems(files),
  ];
}

const PINNED = /@sha256:[0-9a-f]{64}$/;

/**
 * Every image pulled from a registry is pinned by digest (a tag can move under a build): the
 * compose file's images but those a service of it builds, and the Dockerfile's FROM images but
 * its own stages.
 */
function pinProblems(services: Tree, dockerfile: string): string[] {
  const built = new Set(
    Object.values(services)
      .filter((service): service is Tree => isTree(service) && service.build !== undefined)
      .map((service) => service.image),
  );
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    const image = isTree(service) ? service.image : undefined;
    if (typeof image === 'string' && !built.has(image) && !PINNED.test(image)) {
      problems.push(`docker-compose.yml: service ${name}: image ${image} is not pinned by digest`);
    }
  }
  const stages = new Set<string>();
  for (const line of instructions(dockerfile)) {
    const [keyword = '', image = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() !== 'FROM') continue;
    if (!stages.has(image) && !PINNED.test(image)) {
      problems.push(`Dockerfile: ${line}: image ${image} is not pinned by digest`);
    }
    const as = rest.findIndex((word) => word.toUpperCase() === 'AS');
    if (as >= 0 && rest[as + 1]) stages.add(rest[as + 1] as string);
  }
  return problems;
}

interface ComposeScope {
  services: Tree;
  volumes: string[];
  exists: (path: string) => boolean;
}

function serviceProblems(name: string, service: unknown, scope: ComposeScope): string[] {
  const where = `docker-compose.yml: service ${name}`;
  if (!isTree(service)) return [`${where}: is not a mapping`];
  const problems: string[] = [];
  if (service.image === undefined && service.build === undefined) {
    problems.push(`${where}: has neither image nor build`);
  }
  const dependencies = Array.isArray(service.depends_on)
    ? service.depends_on
    : Object.keys(isTree(service.depends_on) ? service.depends_on : {});
  for (const dependency of dependencies) {
    if (typeof dependency !== 'string' || !(dependency in scope.services) || dependency === name) {
      problems.push(`${where}: depends_on names no other service: ${String(dependency)}`);
    }
  }
  for (const source of volumeSources(service.volumes)) {
    if (/^[/~]/.test(source)) continue; // a host path: not ours to check
    if (source.startsWith('.')) {
      if (!scope.exists(source)) problems.push(`${where}: bind mount ${source} does not exist`);
    } else if (!scope.volumes.includes(source)) {
      problems.push(`${where}: volume ${source} is not declared under volumes`);
    }
  }
  for (const file of envFiles(service.env_file)) {
    if (!scope.exists(file)) problems.push(`${where}: env_file ${file} does not exist`);
  }
  const build = buildOf(service.build);
  if (build) {
    if (!scope.exists(build.context))
      problems.push(`${where}: build context ${build.context} does not exist`);
    else if (!scope.exists(posix.join(build.context, build.dockerfile))) {
      problems.push(`${where}: ${build.dockerfile} does not exist in ${build.context}`);
    }
  }
  return [...problems, ...hardeningProblems(where, service)];
}

/** What README promises of every service: no capabilities it does not need, a read-only root. */
function hardeningProblems(where: string, service: Tree): string[] {
  const problems: string[] = [];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  if (!list(service.cap_drop).includes('ALL')) problems.push(`${where}: lacks cap_drop: [ALL]`);
  if (!list(service.security_opt).includes('no-new-privileges:true')) {
    problems.push(`${where}: lacks security_opt: [no-new-privileges:true]`);
  }
  if (service.read_only !== true) problems.push(`${where}: lacks read_only: true`);
  for (const port of list(service.ports)) {
    // host-address:host-port:container-port, the address loopback unless the operator says not.
    const address = /^(\$\{[A-Z_]+:-)?127\.0\.0\.1\}?:\d+:\d+$/.test(port);
    if (!address) problems.push(`${where}: port ${port} is not published on 127.0.0.1 by default`);
  }
  return problems;
}

function volumeSources(volumes: unknown): string[] {
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((volume) => {
    if (typeof volume === 'string') {
      const parts = volume.split(':');
      return parts.length > 1 && parts[0] ? [parts[0]] : [];
    }
    return isTree(volume) && typeof volume.source === 'string' ? [volume.source] : [];
  });
}

function envFiles(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return entries.flatMap((entry) => {
    if (typeof entry === 'string') return [entry];
    // { path, required: false } may be missing by design.
    return isTree(entry) && typeof entry.path === 'string' && entry.required !== false
      ? [entry.path]
      : [];
  });
}

function buildOf(value: unknown): { context: string; dockerfile: string } | undefined {
  if (typeof value === 'string') return { context: value, dockerfile: 'Dockerfile' };
  if (!isTree(value)) return undefined;
  const context = typeof value.context === 'string' ? value.context : '.';
  const dockerfile = typeof value.dockerfile === 'string' ? value.dockerfile : 'Dockerfile';
  return { context, dockerfile };
}

function unusedVolumes(services: Tree, volumes: string[]): string[] {
  const used = new Set(
    Object.values(services).flatMap((service) =>
      isTree(service) ? volumeSources(service.volumes) : [],
    ),
  );
  return volumes
    .filter((volume) => !used.has(volume))
    .map((volume) => `docker-compose.yml: volume ${volume} is declared but no service uses it`);
}

/** One image, built once: services that run it name it by image instead of building it again. */
function buildProblems(services: Tree): string[] {
  const builders = Object.entries(services).filter(
    ([, service]) => isTree(service) && service.build !== undefined,
  );
  const problems: string[] = [];
  const contexts = new Map<string, string>();
  for (const [name, service] of builders) {
    const build = buildOf((service as Tree).build);
    const other = build && contexts.get(build.context);
    if (other)
      problems.push(
        `docker-compose.yml: services ${other} and ${name} both build ${build.context}`,
      );
    if (build) contexts.set(build.context, name);
    if (typeof (service as Tree).image !== 'string') {
      problems.push(
        `docker-compose.yml: service ${name} builds an image without naming it (image:)`,
      );
    }
  }
  return problems;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function dockerfileProblems(files: DockerFiles): string[] {
  const problems: string[] = [];
  const stages = new Set<string>();
  const ignored = dockerignoreMatcher(files.dockerignore);
  for (const line of instructions(files.dockerfile)) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = keyword.toUpperCase();
    if (instruction === 'FROM') {
      const as = rest.findIndex((word) => word.toUpperCase() === 'AS');
      const stage = as >= 0 ? rest[as + 1] : undefined;
      if (stage) stages.add(stage);
    }
    if (instruction !== 'COPY' && instruction !== 'ADD') continue;
    const from = rest.find((word) => word.startsWith('--from='))?.slice('--from='.length);
    if (from !== undefined) {
      if (!stages.has(from)) problems.push(`Dockerfile: ${line}: no earlier stage named ${from}`);
      continue;
    }
    const paths = rest.filter((word) => !word.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      const path = source.replace(/^\.\//, '').replace(/\/$/, '');
      if (!files.exists(path)) problems.push(`Dockerfile: ${line}: ${source} does not exist`);
      else if (ignored(path))
        problems.push(`Dockerfile: ${line}: ${source} is excluded by .dockerignore`);
    }
  }
  return problems;
}

/**
 * Whether .dockerignore keeps a path out of the build context: its patterns (`*`, `**`, `!` to
 * take one back), the last that matches the path or a folder above it deciding.
 */
function dockerignoreMatcher(dockerignore: string): (path: string) => boolean {
  const rules = dockerignore
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      return { negated, regex: globRegex(pattern) };
    });
  return (path) => {
    const prefixes = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated;
    }
    return excluded;
  };
}

function globRegex(pattern: string): RegExp {
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

const root = fileURLToPath(new URL('../', import.meta.url));

/** The project's own Docker files. */
export function projectDockerFiles(): DockerFiles {
  const read = (name: string) => readFileSync(resolve(root, name), 'utf8');
  return {
    compose: read('docker-compose.yml'),
    dockerfile: read('Dockerfile'),
    dockerignore: existsSync(resolve(root, '.dockerignore')) ? read('.dockerignore') : '',
    exists: (path) => existsSync(resolve(root, path)),
  };
}

const runAsMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (runAsMain) {
  const problems = dockerProblems(projectDockerFiles());
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write('docker-compose.yml and Dockerfile: every reference resolves\n');
}
