import { runServer } from '../app/server-process.ts';
import { defineCommand } from './command.ts';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'start the server',
  description:
    'The same as `npm start`: it runs until SIGINT or SIGTERM. It applies pending migrations\n' +
    'first unless PORTCULLIS_MIGRATE_ON_START=false.',
  storage: 'own',
  options: {},
  examples: ['PORT=3000 portcullis serve'],
  start: (config) => runServer(config),
});
