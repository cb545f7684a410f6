// Entry of the capture thread: worker threads start without the server's
// TypeScript loader, so register tsx here, as bin/eas-server.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./capture-worker.ts');
