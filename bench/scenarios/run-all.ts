import type { Scenario } from '../options.ts';
import type { Row } from '../report/row.ts';
import type { MemorySample } from '../server.ts';
import { measureArgon2Ceiling } from './argon2-ceiling.ts';
import { measureClientCount } from './client-count.ts';
import {
  measureJwtClientCredentials,
  measureOpaqueClientCredentials,
} from './client-credentials.ts';
import type { BenchContext } from './context.ts';
import { measureEngineCeiling } from './engine-ceiling.ts';
import { measureIntrospection } from './introspection.ts';
import { measureLoginFlow, withFlowBudget } from './login-flow.ts';
import { observed } from './observe.ts';
import { measureRefresh } from './refresh.ts';
import { measureScaleOut } from './scale-out.ts';
import { measureSessions, type SessionsReport } from './sessions.ts';
import { measureStaticDocuments } from './static-documents.ts';
import { measureUserinfo } from './userinfo.ts';

/** A scenario step; `earlier` holds the rows of the steps before it. */
type Step = [Scenario, string, (ctx: BenchContext, earlier: Row[]) => Promise<Row | Row[]>];

const STEPS: Step[] = [
  ['static', 'JWKS and discovery', measureStaticDocuments],
  ['client-credentials', 'client credentials, opaque', measureOpaqueClientCredentials],
  ['client-credentials', 'oidc-provider alone, JWT', measureEngineCeiling],
  ['client-credentials', 'client credentials, JWT', measureJwtClientCredentials],
  ['introspection', 'introspection', measureIntrospection],
  // Userinfo before refresh: the refresh load spends the signed-in users' refresh tokens.
  ['userinfo', 'userinfo', measureUserinfo],
  ['refresh', 'refresh_token grant', measureRefresh],
  ['login', 'argon2 ceiling', measureArgon2Ceiling],
  ['login', 'authorization-code flow', measureLoginFlow],
  ['scale', 'two Portcullis processes', measureScaleOut],
  ['clients', 'token endpoint with many clients', measureClientCount],
];

/** The selected scenarios in a fixed order; memory per session last, after all the load. */
export async function runScenarios(
  ctx: BenchContext,
  selected: ReadonlySet<Scenario>,
  idle: MemorySample,
): Promise<{ rows: Row[]; sessions: SessionsReport | undefined }> {
  const rows: Row[] = [];
  for (const [scenario, title, step] of STEPS) {
    if (!selected.has(scenario)) continue;
    ctx.progress(title);
    const { result, cpu } = await observed(ctx, title.replace(/\W+/g, '-'), () => step(ctx, rows));
    rows.push(...[result].flat().map((row) => (row.rate === undefined ? row : { ...row, cpu })));
  }
  const measured = withFlowBudget(rows);
  if (!selected.has('sessions')) return { rows: measured, sessions: undefined };
  ctx.progress(`${ctx.sizes.sessions.toLocaleString('en')} active sessions`);
  const { result } = await observed(ctx, 'sessions', () => measureSessions(ctx, idle));
  return { rows: measured, sessions: result };
}
