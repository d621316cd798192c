import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../scripts/check-node.js';

describe('the Node version check (scripts/check-node.js)', () => {
  it.each(['20.20.2', '22.17.1', '18.0.0', '8.9.4'])(
    'refuses Node %s, saying what is needed, what this is, and how to get it',
    (version) => {
      const problem = nodeVersionProblem(version);

      expect(problem).toContain('Portcullis needs Node.js 22.18 or newer');
      expect(problem).toContain(`this is Node.js ${version}.`);
      expect(problem).toContain('nvm install 24');
    },
  );

  it.each(['22.18.0', '22.20.1', '23.0.0', '24.21.0', '26.1.0'])('accepts Node %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });
});
