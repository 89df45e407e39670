/** native/iptables: the iptables 1.8 tools (legacy or nft backend) behind IptablesRunner. */
export * from './types.js';
export * from './tokens.js';
export * from './save.js';
export * from './builder.js';
export * from './detect.js';
export * from './runner.js';
export { ExecCommandRunner, CommandNotFoundError, NetnsUnavailableError, type CommandRunner, type CommandResult, type ExecOptions } from './command.js';
