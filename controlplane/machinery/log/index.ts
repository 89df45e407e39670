export { createLogger, logFilePath, type Fields, type Logger, type LogSinks, type VerboseLogger } from './logger.js';
export { LOG_FLAGS, defaultLogOptions, logOptionsFrom, type LogOptions } from './options.js';
export { logFlags, redact, REDACTED } from './flags.js';
export { parseVModule, vmoduleLevel, type VModuleRule } from './vmodule.js';
export { formatHeader, formatText, type Severity } from './format.js';
