import nunjucks from 'nunjucks';
import { projectPath } from '../shared/paths.ts';

const viewsDir = projectPath('views');

export type RenderPage = (template: string, context?: Record<string, unknown>) => string;

/** Server-rendered pages: nunjucks with autoescape on, templates compiled once and cached. */
export function createPageRenderer(options: { cache?: boolean } = {}): RenderPage {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(viewsDir, { noCache: options.cache === false }),
    { autoescape: true, throwOnUndefined: false },
  );
  return (template, context = {}) =>
    env.render(`${template}.njk`, { productName: 'Portcullis', ...context });
}
