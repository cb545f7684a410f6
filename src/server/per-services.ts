import type { Services } from './services.ts';

/**
 * A value kept per Services object (one per server, not per process, so
 * that tests running several servers stay apart), made on first use: the
 * small caches of command handlers that services.ts has no field for.
 */
export function perServices<T>(make: (services: Services) => T): (services: Services) => T {
  const values = new WeakMap<Services, T>();
  return (services) => {
    let v = values.get(services);
    if (v === undefined) {
      v = make(services);
      values.set(services, v);
    }
    return v;
  };
}
