export * from './conntrack.js';
