import type { Kysely } from 'kysely';
import type { KeysConfig } from '../config/schema.ts';
import { recordAuditEvent } from '../storage/audit.repository.ts';
import { announceKeyChange, databaseNow, lockKeys, tryLockKeys } from '../storage/key-changes.ts';
import type { Database } from '../storage/schema.ts';
import { listPublishedSigningKeys } from '../storage/signing-keys.repository.ts';
import { cookieKeyFamily } from './cookie-keys.service.ts';
import { assertKekOpensStoredKeys } from './kek-check.ts';
import type { KeyFamily } from './key-family.ts';
import { type LifecyclePolicy, type LifecycleStep, planLifecycle } from './key-lifecycle.ts';
import { signingKeyFamily } from './signing-keys.service.ts';

export interface KeyRotationDeps {
  db: Kysely<Database>;
  kek: Buffer;
  keys: KeysConfig;
  /** The time decisions are taken at; the database clock, shared by every instance. */
  clock?: (db: Kysely<Database>) => Promise<Date>;
}

/** Who acted, as recorded in the audit log: the scheduled job, the CLI, or a starting server. */
export type KeyActor = 'job' | 'cli' | 'startup';

export interface StagedRotation {
  family: string;
  current: string | undefined;
  next: string;
  /** When the job may promote `next`: not before it has been published for the lead time. */
  signsFrom: Date;
}

interface Family {
  family: KeyFamily;
  policy: LifecyclePolicy;
  enabled: boolean;
}

/**
 * Runs the key lifecycle for every family under one advisory lock, so that however many
 * instances (and CLI invocations) act at once, exactly one of them changes keys at a time. Each
 * step is audited and announced to every instance in the transaction that makes it.
 */
export function createKeyRotationService(deps: KeyRotationDeps) {
  const { db, kek, keys } = deps;
  const clock = deps.clock ?? databaseNow;
  const policy = (retentionSeconds: number): LifecyclePolicy => ({
    rotationIntervalMs: keys.rotationIntervalSeconds * 1000,
    leadTimeMs: keys.leadTimeSeconds * 1000,
    retentionMs: retentionSeconds * 1000,
  });

  async function familiesIn(trx: Kysely<Database>): Promise<Family[]> {
    const published = await listPublishedSigningKeys(trx);
    const algorithms = new Set<string>([...keys.algorithms, ...published.map((row) => row.alg)]);
    return [
      ...[...algorithms].map((alg) => ({
        family: signingKeyFamily(alg, kek),
        policy: policy(keys.retentionSeconds),
        enabled: (keys.algorithms as readonly string[]).includes(alg),
      })),
      { family: cookieKeyFamily(kek), policy: policy(keys.cookieRetentionSeconds), enabled: true },
    ];
  }

  async function runDue(trx: Kysely<Database>, actor: KeyActor): Promise<number> {
    await assertKekOpensStoredKeys(trx, kek);
    const now = await clock(trx);
    let applied = 0;
    for (const { family, policy: familyPolicy, enabled } of await familiesIn(trx)) {
      const steps = planLifecycle(await family.listLive(trx), familyPolicy, now, enabled);
      for (const step of steps) await applyStep(trx, family, step, steps, now, actor);
      applied += steps.length;
    }
    return applied;
  }

  async function stage(trx: Kysely<Database>, family: KeyFamily, actor: KeyActor) {
    const now = await clock(trx);
    const live = await family.listLive(trx);
    const current = live.find((key) => key.state === 'current')?.id;
    const existing = live.find((key) => key.state === 'next');
    const leadMs = keys.leadTimeSeconds * 1000;
    if (existing) {
      await family.setPromoteAt(trx, existing.id, now);
      await audit(trx, family, 'rotation_requested', existing.id, actor, {});
      const published = new Date(existing.createdAt.getTime() + leadMs);
      return {
        family: family.name,
        current,
        next: existing.id,
        signsFrom: published > now ? published : now,
      };
    }
    const signsFrom = new Date(now.getTime() + leadMs);
    const next = await family.create(trx, { state: 'next', promoteAt: signsFrom, now });
    await audit(trx, family, 'created', next, actor, { state: 'next', promote_at: signsFrom });
    return { family: family.name, current, next, signsFrom };
  }

  return {
    /**
     * One pass of the schedule: create, promote, retire and remove whatever is due. With `wait`
     * (at start-up) it queues for the lock; otherwise it skips the pass when another instance
     * holds it, and that instance does the work. Returns how many steps were taken.
     */
    async tick(actor: KeyActor = 'job', options: { wait?: boolean } = {}): Promise<number> {
      return db.transaction().execute(async (trx) => {
        if (options.wait) await lockKeys(trx);
        else if (!(await tryLockKeys(trx))) return 0;
        const applied = await runDue(trx, actor);
        if (applied > 0) await announceKeyChange(trx);
        return applied;
      });
    },

    /**
     * A staged rotation now, for every configured family: a next key is published at once (or
     * the existing one is asked for), and it takes over as soon as it has been published for the
     * lead time, never sooner. Whatever is due already happens in the same transaction.
     */
    async rotateNow(actor: KeyActor = 'cli'): Promise<StagedRotation[]> {
      return db.transaction().execute(async (trx) => {
        await lockKeys(trx);
        await runDue(trx, actor);
        const staged: StagedRotation[] = [];
        for (const { family, enabled } of await familiesIn(trx)) {
          if (enabled) staged.push(await stage(trx, family, actor));
        }
        await runDue(trx, actor);
        await announceKeyChange(trx);
        return staged;
      });
    },
  };
}

export type KeyRotationService = ReturnType<typeof createKeyRotationService>;

async function applyStep(
  trx: Kysely<Database>,
  family: KeyFamily,
  step: LifecycleStep,
  plan: readonly LifecycleStep[],
  now: Date,
  actor: KeyActor,
): Promise<void> {
  switch (step.kind) {
    case 'create': {
      const id = await family.create(trx, { state: step.state, promoteAt: step.promoteAt, now });
      await audit(trx, family, 'created', id, actor, { state: step.state });
      return;
    }
    case 'activate': {
      await family.transition(trx, step.id, 'current', now);
      const replaces = plan.find((other) => other.kind === 'retire');
      await audit(trx, family, 'promoted', step.id, actor, {
        replaces: replaces && 'id' in replaces ? replaces.id : null,
      });
      return;
    }
    case 'retire':
      await family.transition(trx, step.id, 'retired', now);
      await audit(trx, family, 'retired', step.id, actor, {});
      return;
    case 'remove':
      await family.transition(trx, step.id, 'removed', now);
      await audit(trx, family, 'removed', step.id, actor, {});
      return;
  }
}

export async function audit(
  trx: Kysely<Database>,
  family: KeyFamily,
  event: string,
  id: string,
  actor: KeyActor,
  data: Record<string, unknown>,
): Promise<void> {
  await recordAuditEvent(trx, {
    type: `${family.kind}.${event}`,
    actor,
    subject: id,
    data: { [family.kind === 'signing_key' ? 'kid' : 'id']: id, family: family.name, ...data },
  });
}
