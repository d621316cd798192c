/**
 * The ceiling every row is compared with: a plain koa app answering a 1 KB JSON document (1,001
 * bytes), in a process of its own like the server under test. The object is serialised on every
 * request, as any real handler would.
 */
import Koa from 'koa';
import { announceReady, serveHttp } from './support/child-side.ts';

export interface BaselineInfo {
  url: string;
}

const document = {
  status: 'ok',
  items: Array.from({ length: 8 }, (_, index) => ({
    id: index,
    name: `item number ${index}`,
    description: 'a short description that pads this document out to one kilobyte, roughly.',
  })),
};

const app = new Koa();
app.use((ctx) => {
  ctx.body = document;
});
const origin = await serveHttp(app.callback());
announceReady<BaselineInfo>({ url: `${origin}/` });
