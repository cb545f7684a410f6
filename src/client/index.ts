/** The reusable EAS client: tests, the demo check and the capture replay tool speak to the server through it. */
export { EasClient, type ClientFolder, type EasClientOptions, type EasResponse, type RequestOptions } from './eas-client.ts';
export * from './requests.ts';
export { base64Query, plainQuery, type QueryInput } from './query.ts';
