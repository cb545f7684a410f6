/** eas-admin: operator commands on the state database (see admin.ts for the commands). */
import { adminMain } from './admin.ts';

process.exitCode = adminMain(process.argv.slice(2));
