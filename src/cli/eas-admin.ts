/** eas-admin: operator commands on the state database (see admin.ts for the commands) and `top`, the live view (top.ts). */
import { adminCli } from './admin.ts';

process.exitCode = await adminCli(process.argv.slice(2));
