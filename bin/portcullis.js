#!/usr/bin/env node
// The `portcullis` command in the image and after `npm link`: the CLI, run from its TypeScript
// source by Node's built-in type stripping (Node 22.18 or newer).
import '../src/cli/main.ts';
