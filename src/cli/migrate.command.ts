import { migrateToLatest } from '../storage/migrate.ts';
import { defineCommand, jsonOption } from './command.ts';

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply pending database migrations',
  description:
    'For deployments that migrate as a step of their own, with PORTCULLIS_MIGRATE_ON_START=false\n' +
    'for the server. Every other command also migrates first unless that is false.',
  storage: 'writes',
  options: { json: jsonOption },
  examples: ['DATABASE_URL=postgres://portcullis@db.internal/portcullis portcullis migrate'],
  async run(ctx) {
    const applied = await migrateToLatest(ctx.database.db);
    ctx.print(applied.length ? `applied: ${applied.join(', ')}` : 'up to date', { applied });
  },
});
