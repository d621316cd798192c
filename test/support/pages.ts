import { expect } from 'vitest';
import type { Page } from './browser.ts';

// What leaks when an error escapes: stack frames, source locations, JavaScript error class names.
const INTERNALS =
  /\bat \S+ \(|\.(?:ts|js|mjs):\d+|node_modules|\b(?:Type|Reference|Range|Syntax)Error\b/;

/** Asserts that a response body gives nothing internal away. */
export function expectNoInternals(body: string): void {
  expect(body).not.toMatch(INTERNALS);
}

/** A page meant for a person: HTML, the given status, no redirect, nothing internal. */
export function expectFriendlyPage(page: Page, status: number): void {
  expect(page.status).toBe(status);
  expect(page.headers.get('location')).toBeNull();
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.body).toMatch(/<h1>[^<]+<\/h1>/);
  expectNoInternals(page.body);
}
