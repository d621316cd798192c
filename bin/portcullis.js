#!/usr/bin/env node
// The `portcullis` command in the image and after `npm link`: the CLI, run from its TypeScript
// source by Node's built-in type stripping (Node 22.18 or newer). The version check comes first
// and the CLI is imported only after it: a static import of a .ts file would fail on an older
// Node before any line of this file ran.
import '../scripts/check-node.js';

await import('../src/cli/main.ts');
