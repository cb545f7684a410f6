/** The client's Sync helpers (src/client/sync-session.ts), under the name the sync-*.test.ts files import. */
export * from '../../src/client/sync-session.ts';
