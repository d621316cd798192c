import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

/**
 * From this version on, the entries of oidc-provider's bearer models are keyed by the SHA-256
 * (base64url) of their id, and their payloads no longer hold the id (`jti`), nor, for an
 * interaction, its session cookie or its id in the resume URL (`returnTo`, where `{id}` stands
 * for it). The rows already stored are rewritten the same way, so that the upgrade signs nobody
 * out and every refresh token keeps working.
 *
 * Device codes keep their jti sealed under the key-encryption key, which a migration does not
 * have. The device flow has never been enabled, so there are none; any there were (they live ten
 * minutes) are deleted, with the interactions that point at them.
 */
const MODELS = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  'Session',
  'Interaction',
  'RegistrationAccessToken',
  'InitialAccessToken',
];

// SHA-256 in base64url without padding, as Node's hash('sha256', id, 'base64url'). A 32-byte
// digest is 44 base64 characters: no line break is inserted.
const hashedId = sql`rtrim(translate(encode(sha256(convert_to(id, 'UTF8')), 'base64'), '+/', '-_'), '=')`;

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    delete from oidc_payloads
     where model = 'DeviceCode' or (model = 'Interaction' and payload->>'deviceCode' is not null)
  `.execute(db);
  // Before the ids change: the resume URL is rewritten with the interaction's own id.
  await sql`
    update oidc_payloads
       set payload = (case when payload->>'returnTo' is null then payload
                           else jsonb_set(payload, '{returnTo}',
                                          to_jsonb(replace(payload->>'returnTo', id, '{id}')))
                      end) #- '{session,cookie}'
     where model = 'Interaction'
  `.execute(db);
  await sql`
    update oidc_payloads set id = ${hashedId}, payload = payload - 'jti'
     where model in (${sql.join(MODELS)})
  `.execute(db);
}

/**
 * A hash cannot be undone: after going down, the earlier version looks its entries up by the
 * values themselves and finds none of the rows rewritten here (its users sign in again).
 */
export async function down(): Promise<void> {}
