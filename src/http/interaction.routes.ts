import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import type { InteractionResults, Provider } from 'oidc-provider';
import type { AccountsService } from '../domain/accounts.service.ts';
import type { AttemptThrottle } from '../domain/attempt-throttle.ts';
import { loginSubject } from '../domain/login-throttle.ts';
import { DomainError } from '../shared/errors.ts';
import type { Csrf } from './csrf.ts';
import type { InteractionAudit } from './interaction-audit.ts';
import type { RenderPage } from './render.ts';
import { describeScopes } from './scope-descriptions.ts';
import { clientWayBack, offerWayBack } from './way-back.ts';

export interface InteractionDeps {
  provider: () => Provider;
  accounts: AccountsService;
  /** Failed sign-ins per email address and per client IP (see attempt-throttle.ts). */
  loginThrottle: AttemptThrottle;
  csrf: Csrf;
  render: RenderPage;
  /** Sign-ins, their failures and lockouts, consent given and denied, to the audit log. */
  audit: InteractionAudit;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The login and consent pages oidc-provider sends people to. Each handler loads the interaction
 * (bound to the browser by its cookie), checks the CSRF token on posts, and hands the result back
 * to the provider, which continues the authorization request.
 */
export function interactionRoutes(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  const body = koaBody({
    json: false,
    text: false,
    multipart: false,
    formLimit: '16kb',
    onError: (error) => {
      throw unreadableForm(error);
    },
  });

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const details = await load(ctx, deps);
    if (details.prompt.name === 'login') return renderLogin(ctx, deps, details);
    if (details.prompt.name === 'consent') return renderConsent(ctx, deps, details);
    throw new DomainError('invalid_request', `unsupported prompt ${details.prompt.name}`);
  });

  router.post('/login', body, async (ctx) => {
    const details = await loadForPost(ctx, deps, 'login');
    const form = ctx.request.body as Record<string, unknown>;
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    // Counted per address typed, whether or not an account has it: the answers are the same.
    const attempt = { subject: loginSubject(email), ip: ctx.ip };
    const wait = await deps.loginThrottle.retryAfter(attempt);
    if (wait > 0) {
      await deps.audit.lockedOut(ctx, details, email, wait);
      ctx.status = 429;
      ctx.set('Retry-After', String(wait));
      return renderLogin(ctx, deps, details, { email, error: tooManyAttempts(wait) });
    }
    const account = await deps.accounts.authenticate(email, password);
    if (!account) {
      await deps.loginThrottle.failed(attempt);
      await deps.audit.failed(ctx, details, email);
      ctx.status = 401;
      const error = 'Incorrect email or password.';
      return renderLogin(ctx, deps, details, { email, error, remember: form.remember === 'yes' });
    }
    await deps.loginThrottle.succeeded(attempt);
    deps.audit.signedIn(ctx, details, account.id);
    // Unless the person asks to stay signed in, the session cookie ends with the browser session.
    const remember = form.remember === 'yes';
    await finish(ctx, deps, { login: { accountId: account.id, remember } }, false);
  });

  router.post('/confirm', body, async (ctx) => {
    const details = await loadForPost(ctx, deps, 'consent');
    const grantId = await saveGrant(deps.provider(), details);
    deps.audit.consented(ctx, details);
    await finish(ctx, deps, { consent: details.grantId ? {} : { grantId } }, true);
  });

  router.post('/abort', body, async (ctx) => {
    deps.audit.aborted(ctx, await loadForPost(ctx, deps));
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    await finish(ctx, deps, result, false);
  });

  return router;
}

function tooManyAttempts(seconds: number): string {
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed sign-ins. Try again in ${wait}.`;
}

/**
 * A form that cannot be read (too long, a charset or Content-Encoding we do not take, bytes that
 * do not inflate) is the sender's doing: a 4xx, even where the parser's error has no status (a
 * zlib error from a body that says gzip and is not).
 */
function unreadableForm(error: unknown): DomainError {
  const status = (error as { status?: unknown }).status;
  const clientStatus = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
  return new DomainError('invalid_request', 'The form could not be read.', clientStatus);
}

async function load(ctx: Context, deps: InteractionDeps): Promise<Details> {
  const details = await deps.provider().interactionDetails(ctx.req, ctx.res);
  if (details.uid !== ctx.params.uid) {
    throw new DomainError('invalid_request', 'this page does not belong to your sign-in session');
  }
  // oidc-provider validated the request's redirect_uri before it started this interaction.
  offerWayBack(ctx, async () =>
    clientWayBack(
      await deps.provider().Client.find(String(details.params.client_id)),
      details.params.redirect_uri,
    ),
  );
  return details;
}

async function loadForPost(ctx: Context, deps: InteractionDeps, prompt?: string): Promise<Details> {
  const details = await load(ctx, deps);
  const form = ctx.request.body as Record<string, unknown> | undefined;
  if (!deps.csrf.verify(details.uid, form?.csrf)) {
    throw new DomainError('invalid_request', 'the form expired; go back and try again', 403);
  }
  if (prompt && details.prompt.name !== prompt) {
    throw new DomainError('invalid_request', 'this step of the sign-in is already done');
  }
  return details;
}

async function finish(
  ctx: Context,
  deps: InteractionDeps,
  result: InteractionResults,
  merge: boolean,
) {
  const target = await deps
    .provider()
    .interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.status = 303;
  ctx.redirect(target);
}

async function clientOf(deps: InteractionDeps, details: Details) {
  const client = await deps.provider().Client.find(String(details.params.client_id));
  if (!client) throw new DomainError('invalid_client', 'the application is not registered');
  return client;
}

async function renderLogin(
  ctx: Context,
  deps: InteractionDeps,
  details: Details,
  extra: { email?: string; error?: string; remember?: boolean } = {},
) {
  const client = await clientOf(deps, details);
  ctx.type = 'html';
  ctx.body = deps.render('login', {
    clientName: client.clientName ?? client.clientId,
    action: `/interaction/${details.uid}/login`,
    abortUrl: `/interaction/${details.uid}/abort`,
    csrfToken: deps.csrf.issue(details.uid),
    email:
      extra.email ??
      (typeof details.params.login_hint === 'string' ? details.params.login_hint : ''),
    error: extra.error,
    remember: extra.remember ?? false,
  });
}

async function renderConsent(ctx: Context, deps: InteractionDeps, details: Details) {
  const client = await clientOf(deps, details);
  const account = details.session
    ? await deps.accounts.findById(details.session.accountId)
    : undefined;
  const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
  const resourceScopes = (details.prompt.details.missingResourceScopes ?? {}) as Record<
    string,
    string[]
  >;
  ctx.type = 'html';
  ctx.body = deps.render('consent', {
    clientName: client.clientName ?? client.clientId,
    clientUri: client.clientUri,
    action: `/interaction/${details.uid}/confirm`,
    abortUrl: `/interaction/${details.uid}/abort`,
    csrfToken: deps.csrf.issue(details.uid),
    accountEmail: account?.email ?? '',
    scopes: describeScopes(missing),
    offlineAccess: missing.includes('offline_access'),
    apis: Object.entries(resourceScopes).map(([resource, scopes]) => ({
      resource,
      scopes: describeScopes(scopes),
    })),
  });
}

/** Records what the person agreed to: the scopes, claims and API scopes the prompt listed. */
async function saveGrant(provider: Provider, details: Details): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new DomainError('invalid_request', 'sign in first');
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  if (!grant) throw new DomainError('invalid_request', 'the grant expired; start again');
  const prompt = details.prompt.details;
  const missingScope = prompt.missingOIDCScope as string[] | undefined;
  if (missingScope) grant.addOIDCScope(missingScope.join(' '));
  const missingClaims = prompt.missingOIDCClaims as string[] | undefined;
  if (missingClaims) grant.addOIDCClaims(missingClaims);
  const missingResources = prompt.missingResourceScopes as Record<string, string[]> | undefined;
  for (const [indicator, scopes] of Object.entries(missingResources ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}
