/** Runs one MailerLite call against an account through the route table (HTTP and batch items alike). */
import type { FakeAccount } from './account.ts';
import type { FakeOptions } from './options.ts';
import { matchRoute, splitTarget, type ApiResult, type Route } from './router.ts';
import { fieldRoutes } from './routes-fields.ts';
import { groupRoutes } from './routes-groups.ts';
import { subscriberRoutes } from './routes-subscribers.ts';

export const routes: readonly Route[] = [...subscriberRoutes, ...groupRoutes, ...fieldRoutes];

export function dispatch(
  account: FakeAccount,
  options: FakeOptions,
  baseUrl: string,
  method: string,
  target: string,
  body: unknown,
): ApiResult {
  const { pathname, query } = splitTarget(target);
  const match = matchRoute(routes, method, pathname);
  if (!match.route) {
    return match.methodAllowed
      ? { code: 404, body: { message: 'Resource not found.' } }
      : { code: 405, body: { message: `The ${method} method is not supported for this route.` } };
  }
  return match.route.handle({ account, options, params: match.params, query, body, url: baseUrl + pathname });
}
