import type { KyselyPlugin } from 'kysely';

/** Counts the statements a Kysely instance runs: `db.withPlugin(counter.plugin)`. */
export function statementCounter() {
  let count = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { plugin, count: () => count };
}
