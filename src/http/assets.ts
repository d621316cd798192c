import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from 'koa';
import { projectPath } from '../shared/paths.ts';

const publicDir = projectPath('public');
const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/** Serves the few static files under /assets from memory, read once at start. */
export function assets(): Middleware {
  const files = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const name of ['style.css']) {
    const body = readFileSync(join(publicDir, name));
    const type = TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
    files.set(`/assets/${name}`, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', file.etag);
    if (ctx.get('If-None-Match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
