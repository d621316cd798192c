// Runs before any TypeScript file is loaded, from `npm start`, `npm test`, `npm run portcullis`
// and bin/portcullis.js. An older Node cannot even load a .ts entry point (it dies with
// ERR_UNKNOWN_FILE_EXTENSION before any of our code runs), so this file is plain JavaScript in
// syntax every Node since 14 parses, and it is the only check: .ci/run asks it too.

// Node's built-in type stripping, with no flag, arrived in 22.18; package.json's engines says so.
const REQUIRED = [22, 18];

/** Why `version` (such as process.versions.node) cannot run Portcullis, or undefined if it can. */
export function nodeVersionProblem(version) {
  const [major, minor] = String(version).split('.').map(Number);
  if (major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])) return undefined;
  return [
    `Portcullis needs Node.js ${REQUIRED.join('.')} or newer; this is Node.js ${version}.`,
    'It runs its TypeScript source directly, which older versions cannot do.',
    'Install Node.js 24 (the reference version), for example with nvm (https://github.com/nvm-sh/nvm):',
    '  nvm install 24 && nvm use 24',
    'then run the command again (run `npm install` again too if node_modules was installed with another Node).',
  ].join('\n');
}

// Imported (bin/portcullis.js) or run (`node scripts/check-node.js && node src/app/main.ts`), it
// checks at once: nothing else may run first.
const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
