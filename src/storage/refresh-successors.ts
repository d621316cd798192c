import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { storedId } from './oidc-hashed-ids.ts';
import type { PayloadWrite } from './oidc-payload-rows.ts';
import { writePayloads } from './oidc-payload-writes.ts';
import { currentScope } from './request-scope.ts';
import type { Database } from './schema.ts';

/**
 * One successor per refresh token, whatever the reuse grace window lets through (RFC 9700
 * §4.14.2: a stolen refresh token must not start a chain of its own).
 *
 * Within the window (consume-grace.ts) a rotated refresh token may be presented again: a client
 * that refreshed twice at once, or retried after losing the response. oidc-provider would answer
 * each presentation with a refresh token of its own, so a thief replaying the token within the
 * window would hold a chain the reuse detection never sees. Instead, the first rotation keeps its
 * successor here, and every replay within the window is answered with that same successor (and a
 * fresh access token): one chain, whoever holds it. Once it is rotated and the window has passed,
 * any further presentation is reuse, and oidc-provider revokes the grant.
 *
 * The successor is kept encrypted under a key derived from the rotated token, in a row keyed by
 * the rotated token's SHA-256 (`storedId`, as every token's row): only who presents the rotated
 * token can read it, and the row alone yields nothing usable. It lives in oidc_payloads (model RefreshSuccessor) for the window and a
 * margin, and is written with the rotation's tokens, in the same deferred statement
 * (request-scope.ts): no extra statement on the hot path.
 */
export interface RefreshSuccessors {
  /**
   * The refresh token to answer a rotation of `rotated` with. For the first rotation, `issued`
   * (kept for the replays); for a replay, the first rotation's successor, or undefined when it
   * cannot be had (that rotation failed to store its tokens, or is still in flight after a
   * while): the replay is then refused.
   */
  answer(rotation: {
    rotated: string;
    issued: string;
    grantId?: string;
  }): Promise<string | undefined>;
}

const MODEL = 'RefreshSuccessor';
/** Kept past the window, so that a replay at its very end still finds it. */
const MARGIN_SECONDS = 60;
/** How long a replay waits for a first rotation still in flight (two at once) to be stored. */
const RECALL_WAIT_MS = 2_000;
const RECALL_POLL_MS = 50;

export function createRefreshSuccessors(
  db: Kysely<Database>,
  graceSeconds: number,
): RefreshSuccessors {
  const recall = async (rotated: string): Promise<string | undefined> => {
    const id = storedId(rotated);
    for (let waited = 0; ; waited += RECALL_POLL_MS) {
      const row = await db
        .selectFrom('oidc_payloads')
        .select('payload')
        .where('model', '=', MODEL)
        .where('id', '=', id)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      if (row) return unseal(rotated, row.payload);
      if (waited >= RECALL_WAIT_MS) return undefined;
      await sleep(RECALL_POLL_MS);
    }
  };

  return {
    async answer({ rotated, issued, grantId }) {
      // Without a window nothing is ever replayed, and nothing need be kept.
      if (graceSeconds <= 0) return issued;
      const scope = currentScope();
      if (scope?.replayedRefresh) return recall(rotated);
      const row: PayloadWrite = {
        model: MODEL,
        id: storedId(rotated),
        json: JSON.stringify(seal(rotated, issued)),
        grantId: grantId ?? null,
        userCode: null,
        uid: null,
        expiresAt: new Date(Date.now() + (graceSeconds + MARGIN_SECONDS) * 1000),
      };
      if (scope) scope.writes.set(`${MODEL}\n${row.id}`, row);
      else await writePayloads(db, [row]);
      return issued;
    },
  };
}

const keyOf = (rotated: string) =>
  Buffer.from(hkdfSync('sha256', rotated, '', 'portcullis refresh-token successor', 32));

type Sealed = { iv: string; tag: string; data: string };

function seal(rotated: string, successor: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(rotated), iv);
  const data = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  const encode = (bytes: Buffer) => bytes.toString('base64url');
  return { iv: encode(iv), tag: encode(cipher.getAuthTag()), data: encode(data) };
}

/** The successor, or undefined if the row was not sealed under this token (or was altered). */
function unseal(rotated: string, payload: Record<string, unknown>): string | undefined {
  const { iv, tag, data } = payload as Partial<Sealed>;
  if (typeof iv !== 'string' || typeof tag !== 'string' || typeof data !== 'string') return;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(rotated), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    return undefined;
  }
}
