/** JWTs live in machinery/jwt.ts: kube-controller-manager signs the tokens this server verifies. */
export * from '../../machinery/jwt.js';
