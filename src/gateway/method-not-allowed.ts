// A known path asked with a method it does not serve is a 405 naming the methods it does
// (RFC 9110 §15.5.6), not a 404. Fastify's router only says "no route", so the gateway keeps a
// second router (find-my-way, Fastify's own) with every route's path and asks it which methods
// match the request's path.
import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { CALLBACK_LIMITS } from '../contract/callback-limits';

const METHODS: readonly HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface AllowedMethods {
  /** The methods served at this path, empty when the path is unknown. */
  at(path: string): string[];
}

export function trackAllowedMethods(app: FastifyInstance): AllowedMethods {
  const known = FindMyWay({ ignoreTrailingSlash: false, maxParamLength: CALLBACK_LIMITS.taskToken });
  const noop = (): void => undefined;
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat().map((m) => m.toUpperCase())) {
      const served = METHODS.find((m) => m === method);
      if (served && !known.hasRoute(served, route.url)) known.on(served, route.url, noop);
    }
  });
  return {
    at(path) {
      try {
        return METHODS.filter((method) => known.find(method, path) !== null);
      } catch {
        return []; // a path the router cannot decode matches nothing
      }
    },
  };
}
