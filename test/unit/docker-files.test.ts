import { describe, expect, it } from 'vitest';
import {
  type DockerFiles,
  dockerProblems,
  projectDockerFiles,
} from '../../scripts/check-docker.ts';

const HARDENED = `
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    read_only: true`;

const NODE = `node:24@sha256:${'a'.repeat(64)}`;

/** A small project that passes: one image built once, two services, one volume. */
function fixture(overrides: Partial<DockerFiles> = {}): DockerFiles {
  const present = new Set(['.', 'Dockerfile', 'package.json', 'src']);
  return {
    compose: `
x-hardening: &hardening${HARDENED.replaceAll('\n    ', '\n  ')}
services:
  init:
    image: app:local
    <<: *hardening
    volumes: [data:/data]
  app:
    build: .
    image: app:local
    <<: *hardening
    depends_on:
      init:
        condition: service_completed_successfully
    ports: ["\${APP_ADDRESS:-127.0.0.1}:3000:3000"]
    volumes: [data:/data:ro]
volumes:
  data:
`,
    dockerfile: `FROM ${NODE} AS deps\nCOPY package.json ./\nFROM ${NODE}\nCOPY --from=deps /app ./\nCOPY src ./src\n`,
    dockerignore: 'node_modules\n*.log\n',
    exists: (path) => present.has(path),
    ...overrides,
  };
}

describe('the Docker files check (scripts/check-docker.ts)', () => {
  it("passes the project's own docker-compose.yml and Dockerfile", () => {
    expect(dockerProblems(projectDockerFiles())).toEqual([]);
  });

  it('passes a project whose references all resolve', () => {
    expect(dockerProblems(fixture())).toEqual([]);
  });

  it('names a depends_on, a volume and an env file that resolve to nothing', () => {
    const compose = fixture()
      .compose.replace(
        'condition: service_completed_successfully',
        'condition: service_healthy\n      db: {}',
      )
      .replace(
        'volumes: [data:/data]',
        'volumes: [cache:/cache, ./missing:/x]\n    env_file: .env.prod',
      );

    expect(dockerProblems(fixture({ compose }))).toEqual([
      'docker-compose.yml: service init: volume cache is not declared under volumes',
      'docker-compose.yml: service init: bind mount ./missing does not exist',
      'docker-compose.yml: service init: env_file .env.prod does not exist',
      'docker-compose.yml: service app: depends_on names no other service: db',
    ]);
  });

  it('refuses two builds of one image, a port open to every interface and a service left unhardened', () => {
    const compose = fixture()
      .compose.replace(
        '  init:\n    image: app:local\n    <<: *hardening',
        '  init:\n    build: .\n    image: app:local',
      )
      .replace(/"\$\{APP_ADDRESS[^"]*"/, '"3000:3000"');

    expect(dockerProblems(fixture({ compose }))).toEqual([
      'docker-compose.yml: service init: lacks cap_drop: [ALL]',
      'docker-compose.yml: service init: lacks security_opt: [no-new-privileges:true]',
      'docker-compose.yml: service init: lacks read_only: true',
      'docker-compose.yml: service app: port 3000:3000 is not published on 127.0.0.1 by default',
      'docker-compose.yml: services init and app both build .',
    ]);
  });

  it('names a COPY source that is missing, excluded by .dockerignore, or from an unknown stage', () => {
    const dockerfile = `FROM ${NODE}\nCOPY package.json \\\n  README.md ./\nCOPY src ./src\nCOPY --from=build /out ./\n`;

    expect(dockerProblems(fixture({ dockerfile, dockerignore: 'src\n' }))).toEqual([
      'Dockerfile: COPY package.json README.md ./: README.md does not exist',
      'Dockerfile: COPY src ./src: src is excluded by .dockerignore',
      'Dockerfile: COPY --from=build /out ./: no earlier stage named build',
    ]);
  });

  it('names an image pulled by tag alone, in the compose file and the Dockerfile', () => {
    const compose = fixture().compose.replace(
      '  init:\n    image: app:local',
      '  init:\n    image: postgres:17',
    );
    const problems = dockerProblems(
      fixture({ compose, dockerfile: 'FROM node:24 AS deps\nFROM deps\n' }),
    );

    expect(problems).toEqual([
      'docker-compose.yml: service init: image postgres:17 is not pinned by digest',
      'Dockerfile: FROM node:24 AS deps: image node:24 is not pinned by digest',
    ]);
  });

  it('reports a file that is not YAML instead of checking nothing', () => {
    const problems = dockerProblems(fixture({ compose: 'services:\n  app: [unclosed\n' }));

    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^docker-compose\.yml: /);
  });
});
